# latchlike server image: `latchlike serve` with the built-in workflows.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LATCHLIKE_DATA_DIR=/data \
    LATCHLIKE_HOST=0.0.0.0 \
    LATCHLIKE_AUTH=accounts

RUN useradd --create-home --uid 10001 latchlike
WORKDIR /app
COPY constraints.txt pyproject.toml README.md ./
COPY latchlike ./latchlike
COPY ui_gen ./ui_gen
COPY workflows ./workflows
RUN pip install -c constraints.txt . && mkdir -p /data && chown latchlike /data

USER latchlike
VOLUME ["/data"]
EXPOSE 8080 8089
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/api/health', timeout=4)"
# Bound to all interfaces, so with accounts: create the first administrator once with
# `docker exec -it <container> latchlike users add you@example.org --admin`.
CMD ["latchlike", "serve"]
