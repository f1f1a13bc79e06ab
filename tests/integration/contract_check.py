"""Checks answers and messages against docs/openapi.json and docs/asyncapi.json with Debian's
python3-jsonschema (Draft 2020-12, what OpenAPI 3.1 and these documents use)."""
import json
import os
import re

import jsonschema

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def load(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        return json.load(f)


def problems(schema, components, value):
    """Violations of `schema` (whose $refs point into `components`) by `value`."""
    root = dict(schema)
    root["components"] = components
    validator = jsonschema.Draft202012Validator(root)
    return ["%s at %s" % (e.message[:200], "/".join(map(str, e.absolute_path)))
            for e in validator.iter_errors(value)]


def segment(op, name):
    """The pattern of path parameter `name` of `op` (its schema's, without ^ and $)."""
    for p in op.get("parameters", []):
        if p["in"] == "path" and p["name"] == name and "pattern" in p["schema"]:
            return p["schema"]["pattern"].lstrip("^").rstrip("$")
    return "[0-9A-Za-z-]{1,64}"


class OpenApi:
    """Finds the operation and response of an answer and validates its body."""

    def __init__(self):
        self.doc = load("openapi.json")
        self.routes = []
        for template, item in self.doc["paths"].items():
            for method, op in item.items():
                pattern = "^" + re.sub(r"\{([^}]+)\}", lambda m: segment(op, m.group(1)),
                                       template) + "$"
                self.routes.append((method.upper(), re.compile(pattern), template, op))
        self.seen = set()  # (template, method, status) checked

    def not_allowed(self, method, path, status, body, allow):
        """A method the document does not list on a path it does: 405, a problem, and Allow
        naming exactly the documented methods."""
        methods = sorted({m for m, pattern, _, _ in self.routes if pattern.match(path)})
        if not methods:
            return ["%s %s: the path is not in the document" % (method, path)]
        found = [] if status == 405 else ["%s %s: %d, not 405" % (method, path, status)]
        if sorted(m.strip() for m in (allow or "").split(",")) != methods:
            found.append("%s %s: Allow %r, documented %s" % (method, path, allow, methods))
        self.seen.add(("405", method, path))
        schema = {"$ref": "#/components/schemas/Problem"}
        return found + problems(schema, self.doc["components"], json.loads(body))

    def check(self, method, path, status, content_type, body, allow=None):
        """Empty when the answer fits the document; otherwise what does not."""
        path = path.split("?")[0]
        for m, pattern, template, op in self.routes:
            if m == method and pattern.match(path):
                break
        else:
            return self.not_allowed(method, path, status, body, allow)
        documented = op["responses"].get(str(status))
        key = str(status) if documented else "default"
        response = documented or op["responses"]["default"]
        if "$ref" in response:
            response = self.doc["components"]["responses"][response["$ref"].split("/")[-1]]
        self.seen.add((template, method, key))
        media = (content_type or "").split(";")[0].strip()
        content = response.get("content", {})
        if not content and not media and not body:
            return []  # documented without a body (a redirect), answered without one
        if media not in content:
            return ["%s %s %d: %s is not documented (%s)" % (method, path, status, media,
                                                             ", ".join(content))]
        if not media.endswith("json"):
            return []
        found = problems(content[media]["schema"], self.doc["components"], json.loads(body))
        return ["%s %s %d: %s" % (method, path, status, p) for p in found]


class AsyncApi:
    def __init__(self):
        self.doc = load("asyncapi.json")

    def check(self, message, value):
        payload = self.doc["components"]["messages"][message]["payload"]
        return ["%s: %s" % (message, p) for p in problems(payload, self.doc["components"], value)]


    def check_schema(self, name, value):
        found = problems({"$ref": "#/components/schemas/" + name}, self.doc["components"], value)
        return ["%s: %s" % (name, p) for p in found]


class EventSchemas:
    """docs/schemas/: the envelope, and each type's data at the version the event says."""

    def __init__(self):
        self.envelope = load("schemas/cloudevent.json")

    def check(self, event):
        found = problems(self.envelope, {}, event)
        name = "schemas/%s.v%s.json" % (event.get("type"), event.get("schemaversion"))
        if not os.path.exists(os.path.join(DOCS, name)):
            return found + ["no %s" % name]
        return found + problems(load(name), {}, event.get("data"))


HTTP_SOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "http")
# srv.Get(<pattern>, ...), srv.Post(...), post_bounded(srv, <pattern>, ...) and
# reject_other_methods(srv, <pattern>, "<methods>"): how http/ registers every route.
REGISTRATION = re.compile(r'(?:\bsrv\.(Get|Post|Put|Delete|Patch|Options)\(|\b(post_bounded)\(srv,'
                          r'|\breject_other_methods\(srv,)\s*((?:"[^"]*"|[^,"])+),\s*(?:"([A-Z, ]+)")?')
HELPER_PARAMETER = "pattern"  # the helpers' own srv.X(pattern, ...): not a route
CATCH_ALL = ".*"  # the last POST handler: 404 for every path no route takes


def pattern_values(expr, source):
    """The pattern(s) a registration's first argument stands for: a string literal, a local
    `const std::string name = "..."` (plus a literal), or a name a for loop binds over
    std::pair{"literal", ...}s. None when it cannot be read."""
    expr = expr.strip()
    parts = [p.strip() for p in expr.split("+")]
    out = ""
    for part in parts:
        if part.startswith('"') and part.endswith('"'):
            out += part[1:-1]
            continue
        m = re.search(r'\b%s\s*=\s*"([^"]*)"' % re.escape(part), source)
        if m:
            out += m.group(1)
            continue
        loop = re.search(r'for\s*\(auto\s*\[%s\b[^:]*:\s*\{(.*?)\}\)' % re.escape(part), source,
                         re.S)
        if loop and len(parts) == 1:
            return re.findall(r'std::pair\{"([^"]+)"', loop.group(1))
        return None
    return [out]


def shape(path):
    """A route's shape: each capture group of a pattern, and each {name} of a template, as {}."""
    return re.sub(r"\([^)]*\)|\{[a-z_]+\}", "{}", path)


def undocumented_routes(doc):
    """(method, pattern, file) of every route http/*.cpp registers that docs/openapi.json does
    not list, plus the registrations this scan cannot read (so a new form cannot slip by)."""
    documented = {(m.upper(), shape(t)) for t, item in doc["paths"].items() for m in item}
    missing, served = [], 0
    for name in sorted(os.listdir(HTTP_SOURCES)):
        if not name.endswith(".cpp"):
            continue
        with open(os.path.join(HTTP_SOURCES, name), encoding="utf-8") as f:
            source = f.read()
        for m in REGISTRATION.finditer(source):
            method, bounded, expr, allow = m.groups()
            if expr.strip() == HELPER_PARAMETER:
                continue
            values = pattern_values(expr, source)
            if values is None:
                missing.append(("?", expr.strip(), name))
                continue
            methods = ["POST"] if bounded else [method.upper()] if method else \
                [a.strip() for a in (allow or "?").split(",")]
            for pattern in values:
                if pattern == CATCH_ALL:
                    continue
                for verb in methods:
                    served += 1
                    if (verb, shape(pattern)) not in documented:
                        missing.append((verb, pattern, name))
        read = {a or b for a, b in QUERY_PARAMETER.findall(source)}
        for param in sorted(read - query_parameters(doc)):
            missing.append(("query parameter", param, name))
    if served < 20:
        missing.append(("?", "only %d registrations found: is the scan still right?" % served,
                        HTTP_SOURCES))
    return sorted(set(missing))


QUERY_PARAMETER = re.compile(r'(?:get_param_value|has_param)\("(\w+)"|int_param\(req, "(\w+)"')


def query_parameters(doc):
    """The names of every query parameter (and query API key) the document lists."""
    out = {s["name"] for s in doc["components"]["securitySchemes"].values() if s.get("in") == "query"}
    for item in doc["paths"].values():
        for op in item.values():
            out |= {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    return out
