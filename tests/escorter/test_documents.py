"""PDFs embed what they show: WeasyPrint fetches no file of the server and no network address."""

from __future__ import annotations

import base64
import http.server
import threading

from escorter.documents import lay_out

A4_WIDTH = 794  # CSS pixels; A6 is 397
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def test_a_stylesheet_on_the_server_s_disk_is_not_read(tmp_path):
    css = tmp_path / "a6.css"
    css.write_text("@page { size: A6 }")
    document = lay_out(f'<link rel="stylesheet" href="file://{css}"><p>Bonjour</p>')
    assert round(document.pages[0].width) == A4_WIDTH
    assert round(lay_out("<style>@page { size: A6 }</style><p>Bonjour</p>").pages[0].width) != A4_WIDTH  # the probe


def test_no_network_address_is_fetched_and_data_images_still_are():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        document = lay_out(
            f'<img src="http://127.0.0.1:{server.server_port}/tracker.png">'
            f'<img style="width: 20px" src="data:image/png;base64,{PIXEL}">'
        )
    finally:
        server.shutdown()
    assert hits == []
    images = [box for box in _boxes(document.pages[0]._page_box) if type(box).__name__ == "InlineReplacedBox"]
    assert len(images) == 1  # the embedded one is drawn, the remote one is left out


def _boxes(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)
