# The Escorter application image: web (gunicorn), worker and beat all run from it.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=escorter.settings

# WeasyPrint needs Pango/HarfBuzz; fonts for the PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic only reads settings: placeholder values, nothing is connected.
RUN DEBUG=False SECRET_KEY=build-only-build-only-build-only-build-only-build-only-0000 \
    DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 --home /app escorter && mkdir -p /app/.data/media && chown -R escorter /app/.data
USER escorter
EXPOSE 8000
CMD ["gunicorn", "escorter.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
