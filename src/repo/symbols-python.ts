// The Python half of the source model: a script for Python's own `ast` that lists the functions and methods of
// many files in one process. It parses only (ast.parse compiles nothing and runs nothing), so it runs outside
// the sandbox, like a linter. Input on stdin: [{"source"}...]; output on stdout: one entry per file,
// {"symbols": [...]} or {"error": "SyntaxError: ... (line N)"}.
//
// A symbol: functions and async functions at the top level, also inside top-level if/try/with blocks (they are
// top-level names when the branch runs; not under `if __name__ == '__main__':`, which never runs on import); methods of classes at any class depth (nested classes give
// 'Outer.Inner.method'); never functions nested in functions. Lines are 1-based; `start` includes decorators.
export const PY_SYMBOLS_SCRIPT = String.raw`
import ast, io, json, sys, tokenize, warnings

def header(lines, node):
    """The definition's header from 'def' (or 'async def') to the colon that opens its body."""
    text = '\n'.join(lines[node.lineno - 1:node.body[0].lineno])
    first = lines[node.lineno - 1]
    col = len(first.encode('utf-8')[:node.col_offset].decode('utf-8', 'replace'))
    text = text[col:]
    depth = 0
    out_row, out_col = None, None
    comments = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text + '\n').readline):
            if tok.type == tokenize.COMMENT:
                comments.append(tok)
            elif tok.type == tokenize.OP:
                if tok.string in '([{':
                    depth += 1
                elif tok.string in ')]}':
                    depth -= 1
                elif tok.string == ':' and depth == 0:
                    out_row, out_col = tok.end
                    break
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    if out_row is None:
        return ' '.join(first.split())
    part = text.split('\n')[:out_row]
    part[-1] = part[-1][:out_col]
    for c in comments:
        r, c0 = c.start
        l = part[r - 1]
        part[r - 1] = l[:c0] + ' ' * (c.end[1] - c0) + l[c.end[1]:]
    sig = ' '.join(' '.join(part).split())
    for a, b in (('( ', '('), (' )', ')'), (',)', ')'), ('[ ', '['), (' ]', ']')):
        sig = sig.replace(a, b)
    return sig

def unparse(node, source):
    try:
        return ast.unparse(node)
    except Exception:
        return ast.get_source_segment(source, node) or ''

def is_main_guard(test):
    # if __name__ == '__main__': only runs as a script; its definitions are not the module's.
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == '__name__'
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == '__main__')

def literal_all(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == '__all__' for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
                if isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
                    return set(value)
            except Exception:
                return None
    return None

def symbols(source):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        tree = ast.parse(source)
    lines = source.split('\n')
    lines = [l[:-1] if l.endswith('\r') else l for l in lines]
    exported_names = literal_all(tree)
    out = []

    def private(n):
        return n.startswith('_') and not (n.startswith('__') and n.endswith('__'))

    def emit(node, classes, public_owner):
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        decorators = [unparse(d, source) for d in node.decorator_list]
        name = node.name
        if classes:
            owner = classes[-1]
            access_member = name
            if name.startswith('__') and not name.endswith('__'):
                access_member = '_' + owner.lstrip('_') + name
            exported = public_owner and not private(name)
        else:
            access_member = name
            exported = (name in exported_names) if exported_names is not None else not name.startswith('_')
        out.append({
            'name': '.'.join(classes + [name]),
            'kind': 'method' if classes else 'function',
            'className': '.'.join(classes) if classes else None,
            'member': name,
            'access': '.'.join(classes + [access_member]),
            'defLine': node.lineno,
            'startLine': start,
            'endLine': node.end_lineno,
            'signature': header(lines, node),
            'doc': ast.get_docstring(node) or '',
            'exported': bool(exported),
            'isStatic': 'staticmethod' in decorators,
            'isAsync': isinstance(node, ast.AsyncFunctionDef),
            'decorators': decorators,
        })

    def walk(body, classes, public_owner):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                emit(node, classes, public_owner)
            elif isinstance(node, ast.ClassDef):
                if classes:
                    public = public_owner and not private(node.name)
                elif exported_names is not None:
                    public = node.name in exported_names
                else:
                    public = not node.name.startswith('_')
                walk(node.body, classes + [node.name], public)
            elif isinstance(node, ast.If):
                if not (not classes and is_main_guard(node.test)):
                    walk(node.body, classes, public_owner)
                walk(node.orelse, classes, public_owner)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                walk(node.body, classes, public_owner)
            elif isinstance(node, ast.Try) or type(node).__name__ == 'TryStar':
                walk(node.body, classes, public_owner)
                for h in node.handlers:
                    walk(h.body, classes, public_owner)
                walk(node.orelse, classes, public_owner)
                walk(node.finalbody, classes, public_owner)

    walk(tree.body, [], True)
    return out

def main():
    jobs = json.loads(sys.stdin.buffer.read().decode('utf-8'))
    results = []
    for job in jobs:
        try:
            results.append({'symbols': symbols(job['source'])})
        except SyntaxError as e:
            results.append({'error': '%s: %s (line %s)' % (type(e).__name__, e.msg, e.lineno)})
        except (ValueError, RecursionError, MemoryError) as e:
            results.append({'error': '%s: %s' % (type(e).__name__, e)})
    sys.stdout.buffer.write(json.dumps(results).encode('utf-8'))

main()
`;
