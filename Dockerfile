# Huntaze AI: the web app, the API and the operations CLI in one image.
#
#   docker build -t huntaze-ai:$(git rev-parse --short HEAD) .
#   docker run --env-file prod.env -p 8000:8000 huntaze-ai:<tag>                 # the app
#   docker run --env-file prod.env huntaze-ai:<tag> huntaze-ai db upgrade        # prestart step
#
# Dependencies come from the hash-pinned lock (requirements/runtime.lock); the project itself is
# built into a wheel in a throwaway stage, so the final image has no build tools.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# setuptools for the build comes from PyPI in this stage only (it is not in the runtime lock).
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HUNTAZE_ENV=production
# pg_dump / pg_restore for `huntaze-ai db backup|restore` on PostgreSQL (the client must be at
# least as new as the server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/runtime.lock /tmp/runtime.lock
RUN pip install --require-hashes --no-deps -r /tmp/runtime.lock && rm /tmp/runtime.lock
COPY --from=build /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin huntaze
USER huntaze
WORKDIR /home/huntaze
EXPOSE 8000
# Workers: about one per CPU; `serve` sets up Prometheus multiprocess metrics itself.
CMD ["huntaze-ai", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
