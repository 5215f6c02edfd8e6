# The Socialatlas API and CLI as an image: `docker compose up --build` (see docker-compose.yml).
#
# Two stages: the first builds the wheel (which bundles schema/, seed/ and cypher/ under
# app/_bundled), the second installs only that wheel, so no source tree or build tool
# ends up in the image.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin socialatlas
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels

USER socialatlas
WORKDIR /home/socialatlas
# Listen on every interface: inside a container 127.0.0.1 is unreachable from outside.
ENV SOCIALATLAS_HOST=0.0.0.0
EXPOSE 8000
# python, not curl: the slim image has no curl. urlopen fails on any non-2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('SOCIALATLAS_PORT', '8000') + '/health', timeout=4)"]
CMD ["socialatlas", "serve"]
