"""Authentication dependencies shared by every router."""

from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Security, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from sqlalchemy.orm import Session

from .db import get_session
from .models import User
from .security import decode_token

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/auth/token",
    scopes={
        "items:read": "Read your items",
        "items:write": "Create and change your items",
        "projects:read": "Read projects you belong to",
        "projects:write": "Change projects you belong to",
    },
)

SessionDep = Annotated[Session, Depends(get_session)]


def get_current_user(
    security_scopes: SecurityScopes,
    token: Annotated[str, Depends(oauth2_scheme)],
    session: SessionDep,
) -> User:
    authenticate_value = f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
    credentials_error = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": authenticate_value},
    )
    try:
        claims = decode_token(token, expected_type="access")
    except jwt.InvalidTokenError:
        raise credentials_error from None

    granted = set(claims.get("scopes", []))
    for scope in security_scopes.scopes:
        if scope not in granted:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail="Not enough permissions",
                headers={"WWW-Authenticate": authenticate_value},
            )

    user = session.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise credentials_error
    return user


def get_current_admin(current_user: Annotated[User, Depends(get_current_user)]) -> User:
    if not current_user.is_admin:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Administrator access required")
    return current_user


CurrentUser = Annotated[User, Depends(get_current_user)]
AdminUser = Annotated[User, Depends(get_current_admin)]
ItemsReader = Annotated[User, Security(get_current_user, scopes=["items:read"])]
ItemsWriter = Annotated[User, Security(get_current_user, scopes=["items:write"])]
