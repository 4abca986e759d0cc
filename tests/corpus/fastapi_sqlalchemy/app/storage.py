"""Object storage for project documents."""

import aioboto3

from .config import settings

BUCKET = f"tasks-documents-{settings.environment}"
_session = aioboto3.Session()


async def delete_object(key: str) -> None:
    async with _session.client("s3") as s3:
        await s3.delete_object(Bucket=BUCKET, Key=key)
