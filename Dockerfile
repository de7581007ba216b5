# Passerelle as a container: `docker build -t passerelle .`, then
#   docker run -d --name passerelle -v passerelle-data:/data \
#     -e TELEGRAM_BOT_TOKEN=… -e PASSERELLE_ADMINS=11111111 passerelle
# The database lives on the /data volume; `passerelle health` is the health check (see README, "Deploying").

FROM python:3.13-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY migrations ./migrations
COPY locales ./locales
# Wheels of Passerelle and of every dependency, so that the final image needs no compiler and no source.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.13-slim
# DejaVu Sans: the /report chart's font, covering French accents and Ewe letters (without it they are boxes).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin passerelle \
    && mkdir /data \
    && chown passerelle:passerelle /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels passerelle \
    && rm -rf /wheels
ENV PASSERELLE_DB=/data/passerelle.sqlite3 \
    PASSERELLE_WEBHOOK_LISTEN=0.0.0.0 \
    PASSERELLE_WEBHOOK_PORT=8080 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
WORKDIR /data
USER passerelle
# Used only in webhook mode (PASSERELLE_WEBHOOK_URL set), behind an HTTPS reverse proxy.
EXPOSE 8080
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 CMD ["passerelle", "health"]
CMD ["passerelle", "run"]
