# The seed project's usage:
#   docker build -t digitgenerator .
#   docker run -p 8085:80 digitgenerator      # then http://localhost:8085/ and /docs
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1 \
    NUMBER_GENERATOR_CACHE=/var/cache/number-generator
WORKDIR /app
COPY pyproject.toml README.md LICENSE NOTICE ./
COPY src ./src
RUN pip install ".[api]" \
 && python -c "from number_generator.glyphsets.glyphs import get_glyph_set as g; g('mnist', 'train'); g('mnist', 'test')"
# The glyph cache is built at image build time, so the first request is fast.

EXPOSE 80
# Same command the tests start (tests/test_api.py checks it), on all interfaces and port 80.
CMD ["number-generator", "serve", "--host", "0.0.0.0", "--port", "80"]
