"""Creator accounts."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.errors import Conflict, InvalidRequest
from huntaze_ai.kit.security import hash_password
from huntaze_ai.models import User
from huntaze_ai.users import repository
from huntaze_ai.users.schemas import UserCreate


class EmailAlreadyRegistered(Conflict):
    code = "email_taken"
    default_message = "A user with this email already exists"


def validate_user_create(**fields: object) -> UserCreate:
    """Validate raw input (CLI flags, forms) into a UserCreate, or raise one readable error."""
    try:
        return UserCreate.model_validate(fields)
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            if field == "plan":
                parts.append("plan must be one of starter, pro, business")
            else:
                parts.append(f"{field}: {err['msg']}")
        raise InvalidRequest("; ".join(parts)) from None


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    email = data.email
    if await repository.get_by_email(session, email) is not None:
        raise EmailAlreadyRegistered(email=email)
    user = User(
        email=email,
        password_hash=hash_password(data.password),
        ai_plan=data.plan,
        display_name=data.display_name,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        # Lost a race with a concurrent registration of the same address.
        raise EmailAlreadyRegistered(email=email) from None
    return user
