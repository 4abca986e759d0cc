"""Pydantic v2 request/response schemas."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class Token(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"


class RefreshRequest(BaseModel):
    refresh_token: str


class LoginRequest(BaseModel):
    email: EmailStr
    password: str


class TwoFactorRequest(BaseModel):
    challenge_token: str
    code: str = Field(min_length=6, max_length=6)


class SignupRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=12)
    full_name: str | None = None


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetConfirm(BaseModel):
    token: str
    new_password: str = Field(min_length=12)


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Field(min_length=12)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: EmailStr
    full_name: str | None = None


class UserAdminView(UserPublic):
    is_active: bool
    is_admin: bool
    created_at: datetime


class UserInDB(UserAdminView):
    """Internal representation, used by the auth service layer."""

    hashed_password: str
    totp_secret: str | None = None


class UserUpdate(BaseModel):
    """Shared by the profile page and the admin console."""

    email: EmailStr | None = None
    full_name: str | None = None
    is_active: bool | None = None
    is_admin: bool | None = None


class ItemCreate(BaseModel):
    title: str = Field(max_length=200)
    description: str | None = None
    is_public: bool = False


class ItemUpdate(BaseModel):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = None
    is_public: bool | None = None


class ItemImportRow(BaseModel):
    """One row of the CSV import preview, as the spreadsheet exporter writes it."""

    title: str
    description: str | None = None
    is_public: bool = False
    is_featured: bool = False
    owner_id: int | None = None


class ItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None = None
    is_public: bool
    owner_id: int


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    budget_cents: int


class DocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    name: str


class SignupStats(BaseModel):
    day: str
    signups: int
