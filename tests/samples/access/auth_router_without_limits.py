"""A FastAPI auth router and no rate limiting anywhere in the app (sample for AR107).

The cause is one (the app limits nothing), so it is reported once, on the login, listing the other
credential endpoints; a per-route finding each would be five comments for one fix.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm

from app.deps import SessionDep
from app.mail import send_reset_email
from app.models import User
from app.security import create_access_token, hash_password, verify_password

router = APIRouter(prefix="/auth")


@router.post("/register")
def register(body: dict, session: SessionDep):
    user = User(email=body["email"], hashed_password=hash_password(body["password"]))
    session.add(user)
    session.commit()
    return {"id": user.id}


@router.post("/login/access-token")
def login(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]):  # expect: AR107
    user = session.query(User).filter_by(email=form.username).first()
    if user is None or not verify_password(form.password, user.hashed_password):
        raise HTTPException(status_code=400, detail="Incorrect email or password")
    return {"access_token": create_access_token(user.id), "token_type": "bearer"}


@router.post("/password-recovery/{email}")
def recover_password(email: str, session: SessionDep):
    user = session.query(User).filter_by(email=email).first()
    if user is not None:
        send_reset_email(user.email)
    return {"message": "If the address is registered, a reset link is on its way"}
