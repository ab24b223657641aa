"""Static check of an untrusted Manim scene.

Reads Python source on stdin and prints one JSON object on stdout:
{"ok": true, "scene": "ClassName"} or
{"ok": false, "construct": "...", "line": N, "message": "..."}.

This is a lint that gives early, readable errors. It is not a security boundary:
the render runs in an operating-system sandbox regardless of what passes here.
"""

import ast
import json
import sys

MAX_SOURCE_BYTES = int(sys.argv[1]) if len(sys.argv) > 1 else 65536
MAX_NODES = int(sys.argv[2]) if len(sys.argv) > 2 else 20000

ALLOWED_MODULES = {"math", "numpy", "random"}
SCENE_BASES = {
    "Scene",
    "ThreeDScene",
    "SpecialThreeDScene",
    "MovingCameraScene",
    "ZoomedScene",
    "VectorScene",
    "LinearTransformationScene",
}
FORBIDDEN_CALLS = {
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr",
    "globals", "locals", "vars", "dir", "__import__", "input", "breakpoint",
    "memoryview", "help", "exit", "quit",
}
# Names that reach modules with file, process or interpreter access, including
# the submodules that `from manim import *` re-exports.
FORBIDDEN_NAMES = {
    "os", "sys", "subprocess", "shutil", "socket", "pathlib", "Path", "importlib",
    "builtins", "ctypes", "multiprocessing", "threading", "signal", "pickle",
    "marshal", "tempfile", "io", "inspect", "gc", "types", "code", "codeop", "pty",
    "urllib", "http", "requests", "asyncio", "resource", "platform", "glob",
    "utils", "core", "manager", "plugins", "renderer", "scene", "camera", "mobject",
    "animation", "opengl", "data_structures", "typing", "logger", "console",
    "tempconfig", "__builtins__", "__loader__", "__spec__",
}
# Attributes that only make sense for file, process, network or frame access.
FORBIDDEN_ATTRIBUTES = {
    "system", "popen", "fork", "forkpty", "spawnl", "spawnv", "spawnve", "spawnlp",
    "execv", "execve", "execl", "execlp", "execvp", "kill", "killpg", "environ",
    "putenv", "unlink", "rmdir", "removedirs", "rmtree", "mkdir",
    "makedirs", "chmod", "chown", "rename", "symlink", "link", "listdir", "scandir",
    "walk", "read_text", "write_text", "read_bytes", "write_bytes", "connect",
    "socket", "urlopen", "load_module", "f_globals", "f_locals", "f_back",
    "f_builtins", "gi_frame", "gi_code", "cr_frame", "tb_frame", "co_code",
    "func_globals", "modules", "os", "sys", "subprocess", "shutil", "pathlib",
    "importlib", "builtins", "save_image", "tofile", "fromfile", "load", "loadtxt",
    "genfromtxt", "save", "savez", "savetxt", "memmap", "ctypeslib",
}


class Rejected(Exception):
    def __init__(
        self, construct: str, node: object, message: str, priority: int = 0
    ) -> None:
        super().__init__(message)
        self.construct = construct
        self.line: int | None = getattr(node, "lineno", None)
        self.column: int = getattr(node, "col_offset", 0)
        self.message = message
        self.priority = priority

    def key(self) -> tuple[int, int, int]:
        return (self.line or 0, self.column or 0, self.priority)


def check_import(node: ast.Import | ast.ImportFrom) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES:
                raise Rejected(
                    f"import {alias.name}", node,
                    f"import of module '{alias.name}' is not allowed "
                    "(only math, numpy and random may be imported)",
                )
            if alias.asname is not None and not (alias.name == "numpy" and alias.asname == "np"):
                if alias.asname != alias.name:
                    raise Rejected(
                        f"import {alias.name} as {alias.asname}", node,
                        f"import alias '{alias.asname}' is not allowed",
                    )
        return
    module = node.module or ""
    if node.level:
        raise Rejected("relative import", node, "relative imports are not allowed")
    if module == "manim":
        if [a.name for a in node.names] != ["*"]:
            raise Rejected(
                "from manim import ...", node,
                "only 'from manim import *' is allowed from manim",
            )
        return
    if module in ALLOWED_MODULES:
        for alias in node.names:
            if alias.name == "*" or alias.name.startswith("_"):
                raise Rejected(
                    f"from {module} import {alias.name}", node,
                    f"'from {module} import {alias.name}' is not allowed",
                )
        return
    raise Rejected(
        f"from {module} import", node,
        f"import from module '{module}' is not allowed "
        "(only manim, math, numpy and random)",
    )


def is_scene_base(base: ast.expr) -> bool:
    if isinstance(base, ast.Name):
        return base.id in SCENE_BASES
    return False


PRIORITY: dict[type[ast.AST], int] = {ast.Import: 0, ast.ImportFrom: 0, ast.Call: 1, ast.Name: 2, ast.Constant: 3}


def check(tree: ast.Module) -> str:
    """Walks the whole tree and reports the first violation in source order,
    preferring the outermost meaningful construct (a call or a name over the
    attribute chain built on it)."""
    scenes: list[ast.ClassDef] = []
    violations: list[Rejected] = []
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise Rejected("size", None, f"source has more than {MAX_NODES} syntax nodes")
        try:
            check_node(node, scenes)
        except Rejected as err:
            err.priority = PRIORITY.get(type(node), 4)
            violations.append(err)
    if violations:
        raise min(violations, key=Rejected.key)
    return check_structure(tree, scenes)


def check_node(node: ast.AST, scenes: list[ast.ClassDef]) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        check_import(node)
    elif isinstance(node, ast.Name):
        if node.id.startswith("__") or node.id in FORBIDDEN_NAMES:
            raise Rejected(
                f"name '{node.id}'", node, f"use of name '{node.id}' is not allowed"
            )
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise Rejected(
                f"attribute '.{node.attr}'", node,
                f"access to private or dunder attribute '.{node.attr}' is not allowed",
            )
        if node.attr in FORBIDDEN_ATTRIBUTES:
            raise Rejected(
                f"attribute '.{node.attr}'", node,
                f"access to attribute '.{node.attr}' is not allowed",
            )
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            raise Rejected(
                f"call to '{func.id}'", node, f"call to '{func.id}()' is not allowed"
            )
    elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
        if "__" in text:
            raise Rejected(
                "string containing '__'", node,
                "string constants may not contain '__' (dunder access through formatting)",
            )
    elif isinstance(node, ast.ClassDef):
        if any(is_scene_base(b) for b in node.bases):
            scenes.append(node)
        for keyword in node.keywords:
            raise Rejected(
                f"class keyword '{keyword.arg}'", node,
                "class keywords such as metaclass are not allowed",
            )
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        pass


def check_structure(tree: ast.Module, scenes: list[ast.ClassDef]) -> str:
    if not scenes:
        raise Rejected(
            "Scene subclass", None,
            "no Scene subclass found: define exactly one class deriving from Scene "
            "(or ThreeDScene, MovingCameraScene, ...)",
        )
    if len(scenes) > 1:
        names = ", ".join(s.name for s in scenes)
        raise Rejected(
            "Scene subclass", scenes[1],
            f"exactly one Scene subclass is allowed, found {len(scenes)}: {names}",
        )
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef)):
            continue
        if isinstance(node, ast.Assign) or isinstance(node, ast.AnnAssign):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        raise Rejected(
            "top-level statement", node,
            "only imports, definitions and assignments are allowed at module level",
        )
    return scenes[0].name


def main() -> None:
    data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
    try:
        if len(data) > MAX_SOURCE_BYTES:
            raise Rejected("size", None, f"source is larger than {MAX_SOURCE_BYTES} bytes")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected("encoding", None, "source is not valid UTF-8")
        try:
            tree = ast.parse(source, filename="scene.py")
        except SyntaxError as err:
            node = type("Pos", (), {"lineno": err.lineno})()
            raise Rejected("syntax", node, f"syntax error: {err.msg}")
        except (ValueError, RecursionError, MemoryError) as err:
            raise Rejected("syntax", None, f"source could not be parsed: {err}")
        scene = check(tree)
        print(json.dumps({"ok": True, "scene": scene}))
    except Rejected as err:
        print(json.dumps({
            "ok": False,
            "construct": err.construct,
            "line": err.line,
            "message": err.message,
        }))


main()
