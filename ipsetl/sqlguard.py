"""What `ipsetl sql` will run: reading statements only, checked with DuckDB's own parser.

Every statement of a query is checked before any of them runs. DuckDB's parser splits the query
and names each statement's type (`extract_statements`); its tokenizer (`duckdb.tokenize`) gives
the words, so comments, case and string literals (`SELECT 'ATTACH'`) are never mistaken for a
statement. A refusal is one Finnish sentence that names the statement and says why.

The rules:

- **Reading statements run**: SELECT and everything DuckDB turns into one (FROM …, WITH …, SHOW,
  DESCRIBE, SUMMARIZE, PIVOT/UNPIVOT), EXPLAIN [ANALYZE] of a statement that is itself allowed,
  PREPARE of an allowed statement and EXECUTE, BEGIN/COMMIT/ROLLBACK.
- **PRAGMA runs only when it shows information** and sets nothing: the names in INFO_PRAGMAS
  (`PRAGMA table_info('mart.region_tertiary')`, `PRAGMA show_tables`, `PRAGMA database_size`…).
  Any other PRAGMA is refused (`PRAGMA enable_profiling`, `PRAGMA disable_optimizer`,
  `PRAGMA force_checkpoint`), and so is every `PRAGMA name = value` (DuckDB parses that as SET).
- **CALL f(…) is read as `SELECT * FROM f(…)`** and runs unless f changes the state of the
  database or the session (STATEFUL_FUNCTIONS: checkpoint(), force_checkpoint(),
  enable_profiling(), enable_logging()…). Those functions are refused wherever they appear,
  `SELECT * FROM checkpoint()` included.
- **Refused**: INSTALL, LOAD, ATTACH, DETACH, SET, RESET, SET VARIABLE, USE, CHECKPOINT, FORCE
  CHECKPOINT, COPY (TO writes a file, FROM a table), EXPORT/IMPORT DATABASE, COPY FROM DATABASE,
  UPDATE EXTENSIONS, and every statement that writes (INSERT, UPDATE, DELETE, MERGE, CREATE —
  TEMP objects too —, DROP, ALTER, VACUUM, ANALYZE). Anything the parser does not name is refused.

The connection itself is locked down too (`lock_down`): no file or network access outside the
warehouse (read_csv('/etc/passwd'), read_text, glob, COPY … TO, extension downloads), and the
configuration locked so that no query can turn that back on.
"""

from __future__ import annotations

import duckdb

PREFIX = "`ipsetl sql` on vain lukemista varten: "

INFO_PRAGMAS = (
    "table_info",
    "show_tables",
    "database_size",
    "show_tables_expanded",
    "show_databases",
    "database_list",
    "storage_info",
    "metadata_info",
    "version",
    "platform",
    "user_agent",
    "functions",
    "collations",
    "extension_versions",
    "show",
)

_OWN_SETTINGS = "kysely ajetaan tietovaraston omilla asetuksilla"
_WAREHOUSE_ONLY = "tietovarastoon kirjoittaa vain `ipsetl run`"
_OWN_SESSION = "tee se omassa DuckDB-istunnossasi"

# Table functions that change the database or the session; their reason, said after the name.
STATEFUL_FUNCTIONS = {
    "checkpoint": f"kirjoittaisi tietovaraston tiedostoon; {_WAREHOUSE_ONLY}",
    "force_checkpoint": f"kirjoittaisi tietovaraston tiedostoon; {_WAREHOUSE_ONLY}",
    "enable_profiling": f"muuttaisi istunnon asetuksia; {_OWN_SETTINGS}",
    "disable_profiling": f"muuttaisi istunnon asetuksia; {_OWN_SETTINGS}",
    "enable_logging": f"muuttaisi istunnon asetuksia; {_OWN_SETTINGS}",
    "disable_logging": f"muuttaisi istunnon asetuksia; {_OWN_SETTINGS}",
    "truncate_duckdb_logs": f"tyhjentäisi DuckDB:n lokin; {_OWN_SESSION}",
    "add_grammar_extension": f"muuttaisi DuckDB:n jäsennintä; {_OWN_SESSION}",
    "remove_grammar_extension": f"muuttaisi DuckDB:n jäsennintä; {_OWN_SESSION}",
    "create_external_resource": f"loisi ulkoisen resurssin; {_OWN_SESSION}",
    "register_external_resource": f"rekisteröisi ulkoisen resurssin; {_OWN_SESSION}",
    "register_external_resource_type": f"rekisteröisi ulkoisen resurssin; {_OWN_SESSION}",
    "deregister_external_resource": f"poistaisi ulkoisen resurssin; {_OWN_SESSION}",
    "destroy_external_resource": f"poistaisi ulkoisen resurssin; {_OWN_SESSION}",
}

_EXTENSIONS = "lataa ja asenna laajennukset omassa DuckDB-istunnossasi"
# Refused statements by their first word(s), with the reason said after the name.
_REFUSED_WORDS = {
    "INSTALL": f"asentaisi DuckDB-laajennuksen; {_EXTENSIONS}",
    "FORCE INSTALL": f"asentaisi DuckDB-laajennuksen; {_EXTENSIONS}",
    "LOAD": f"lataisi DuckDB-laajennuksen; {_EXTENSIONS}",
    "UPDATE EXTENSIONS": f"päivittäisi DuckDB-laajennukset; {_EXTENSIONS}",
    "ATTACH": "liittäisi toisen tietokannan; avaa se omassa DuckDB-istunnossasi",
    "DETACH": "irrottaisi tietokannan istunnosta; kysely lukee tietovarastoa sellaisenaan",
    "SET VARIABLE": "asettaisi istunnon muuttujan; kirjoita arvo suoraan kyselyyn (tai sen WITH-osaan)",
    "RESET VARIABLE": "poistaisi istunnon muuttujan; kirjoita arvo suoraan kyselyyn (tai sen WITH-osaan)",
    "SET": f"muuttaisi istunnon asetuksia; {_OWN_SETTINGS}",
    "RESET": f"palauttaisi istunnon asetuksen; {_OWN_SETTINGS}",
    "USE": "vaihtaisi oletustietokannan tai -skeeman; kirjoita skeema taulun eteen, esim. mart.region_tertiary",
    "CHECKPOINT": f"kirjoittaisi tietovaraston tiedostoon; {_WAREHOUSE_ONLY}",
    "FORCE CHECKPOINT": f"kirjoittaisi tietovaraston tiedostoon; {_WAREHOUSE_ONLY}",
    "EXPORT DATABASE": "kirjoittaisi tietokannan tiedostoiksi; vie mart-taulut komennolla `ipsetl export KANSIO`",
    "IMPORT DATABASE": f"kirjoittaisi tietokantaan; {_WAREHOUSE_ONLY}",
    "COPY FROM DATABASE": f"kopioisi tietokannan toiseen; {_WAREHOUSE_ONLY}",
}
_COPY_TO = (
    "kirjoittaisi tiedoston; tallenna tulos valinnalla --format csv (ipsetl sql … --format csv > tulos.csv) "
    "tai vie mart-taulut komennolla `ipsetl export KANSIO`"
)
_WRITES = f"muuttaisi tietovarastoa; {_WAREHOUSE_ONLY}"
_WRITING_TYPES = {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "MERGE_INTO", "VACUUM", "CREATE_FUNC"}
_READING_TYPES = {"SELECT", "TRANSACTION", "EXECUTE"}
_READING_WORDS = {"SELECT", "FROM", "WITH", "PIVOT", "UNPIVOT", "VALUES", "TABLE", "SHOW", "DESCRIBE", "SUMMARIZE"}


class Refused(ValueError):
    """A statement `ipsetl sql` will not run; the message is the one sentence the user sees."""


def _refuse(name: str, why: str) -> Refused:
    return Refused(f"{PREFIX}{name} {why}.")


def _tokens(text: str) -> list[tuple[int, str, str]]:
    """(position, kind, text) of every token but comments; identifiers unquoted."""
    found = duckdb.tokenize(text)
    ends = [pos for pos, _ in found[1:]] + [len(text)]
    out = []
    for (pos, kind), end in zip(found, ends, strict=True):
        if kind == duckdb.token_type.comment:
            continue
        word = text[pos:end].strip()
        if kind == duckdb.token_type.identifier and word.startswith('"') and word.endswith('"'):
            word = word[1:-1].replace('""', '"')
        out.append((pos, kind.name, word))
    return out


def _words(tokens: list[tuple[int, str, str]], n: int) -> str:
    """The first n words (keywords or identifiers) in capitals, e.g. "FORCE CHECKPOINT"."""
    words = []
    for _pos, kind, word in tokens:
        if kind not in ("keyword", "identifier"):
            break
        words.append(word.upper())
        if len(words) == n:
            break
    return " ".join(words)


def _after_prefix(tokens: list[tuple[int, str, str]], start: int) -> int | None:
    """Index of the first token after an optional parenthesised option list at tokens[start]."""
    if start < len(tokens) and tokens[start][2] == "(":
        depth = 0
        for i in range(start, len(tokens)):
            if tokens[i][2] == "(":
                depth += 1
            elif tokens[i][2] == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
        return None
    return start


def _stateful_call(tokens: list[tuple[int, str, str]]) -> str | None:
    """The first state-changing function called anywhere in the statement (name followed by "(")."""
    for (_pos, kind, word), nxt in zip(tokens, tokens[1:], strict=False):
        if kind in ("keyword", "identifier") and nxt[2] == "(" and word.lower() in STATEFUL_FUNCTIONS:
            return word.lower()
    return None


def _statement_type(statement) -> str:
    try:
        return statement.type.name
    except ValueError:  # a type the Python package has no name for (UPDATE EXTENSIONS in 2.0.1)
        return "UNKNOWN"


def check(query: str, con: duckdb.DuckDBPyConnection | None = None) -> int:
    """Raise Refused for the first statement of `query` that `ipsetl sql` does not run; return the
    number of statements. A query that does not parse raises DuckDB's ParserException."""
    own = con is None
    con = con or duckdb.connect()
    try:
        statements = con.extract_statements(query)
        for statement in statements:
            _check_one(con, statement)
        return len(statements)
    finally:
        if own:
            con.close()


def _check_one(con: duckdb.DuckDBPyConnection, statement) -> None:
    text = statement.query
    tokens = _tokens(text)
    kind = _statement_type(statement)
    first = _words(tokens, 1)
    two = _words(tokens, 2)
    three = _words(tokens, 3)

    for words in (three, two, first):
        if words in _REFUSED_WORDS:
            raise _refuse(words, _REFUSED_WORDS[words])
    if stateful := _stateful_call(tokens):
        raise _refuse(f"{stateful}()", STATEFUL_FUNCTIONS[stateful])

    if kind == "SET" and first == "PRAGMA":  # PRAGMA name = value
        name = tokens[1][2] if len(tokens) > 1 else ""
        raise _refuse(f"PRAGMA {name} = …", f"muuttaisi DuckDB:n asetusta; {_OWN_SETTINGS}")
    if kind == "PRAGMA" and first == "PRAGMA":
        name = tokens[1][2].lower() if len(tokens) > 1 else ""
        if name in INFO_PRAGMAS:
            return
        raise _refuse(
            f"PRAGMA {name}",
            "muuttaisi DuckDB:n asetuksia tai tilaa; sallittuja ovat vain tietoja näyttävät PRAGMAt ("
            + ", ".join(INFO_PRAGMAS[:3])
            + " …)",
        )
    if kind == "CALL" and first == "CALL":
        return  # a table function that changes nothing, as SELECT * FROM f(…) (stateful ones above)
    if kind == "COPY" or first == "COPY":
        depth, direction = 0, "FROM"
        for _pos, _kind, word in tokens[1:]:
            depth += {"(": 1, ")": -1}.get(word, 0)
            if depth == 0 and word.upper() in ("TO", "FROM"):
                direction = word.upper()
                break
        raise _refuse(f"COPY … {direction}", _COPY_TO if direction == "TO" else _WRITES)
    if kind == "EXPLAIN" and first == "EXPLAIN":
        start = 2 if two == "EXPLAIN ANALYZE" else 1
        inner = _after_prefix(tokens, start)
        if inner is not None and inner < len(tokens):
            for statement in con.extract_statements(text[tokens[inner][0] :]):
                _check_one(con, statement)
        return
    if kind == "PREPARE" and first == "PREPARE":
        depth = 0
        for i, (_pos, _kind, word) in enumerate(tokens):
            depth += {"(": 1, ")": -1}.get(word, 0)
            if depth == 0 and word.upper() == "AS" and i + 1 < len(tokens):
                for statement in con.extract_statements(text[tokens[i + 1][0] :]):
                    _check_one(con, statement)
                return
        raise _refuse("PREPARE", "ilman AS-osaa ei ole tarkistettavissa")
    if kind == "DROP" and first == "DEALLOCATE":
        return  # a prepared statement of this session
    if kind in _WRITING_TYPES or kind == "COPY_DATABASE":
        leading = set(_words(tokens, 5).split())
        if "SECRET" in leading:
            raise _refuse(f"{first} SECRET", "käsittelisi tunnistetietoja; tee se omassa DuckDB-istunnossasi")
        if first == "CREATE" and {"TEMP", "TEMPORARY"} & leading:
            raise _refuse("CREATE TEMP", "loisi istuntoon oman objektin; kirjoita välivaihe kyselyn WITH-osaan")
        raise _refuse(first or kind, _WRITES)
    if kind in _READING_TYPES:
        return
    if kind == "MULTI" and first in _READING_WORDS:  # PIVOT with its values found at run time
        return
    raise _refuse(first or kind, "ei ole lukeva lause, eikä `ipsetl sql` aja sitä")


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """No file or network access beyond the open warehouse, no extension downloads, and the
    configuration locked so that no statement can change it back."""
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")
