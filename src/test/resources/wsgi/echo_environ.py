"""A WSGI upstream for the gateway's tests: answers every request with the HTTP_* variables of
its WSGI environ as JSON. wsgiref, like CGI, turns '-' into '_' and upper-cases header names, so
X-User-Id and X_User_Id both become HTTP_X_USER_ID (repeats are joined with ',').
Prints the port it listens on (loopback, chosen by the system), then serves until killed."""

import json
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server


def app(environ, start_response):
    seen = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
    body = json.dumps(seen).encode("utf-8")
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
print(server.server_port, flush=True)
sys.stdout.close()
server.serve_forever()
