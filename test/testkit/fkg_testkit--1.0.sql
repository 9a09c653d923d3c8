-- Test-only. Parses SQL text with the server's raw parser (as the simple
-- query protocol would, under the session's standard_conforming_strings) and
-- returns one row per top-level statement: its command tag as PostgreSQL
-- names it (GetCommandTagName(CreateCommandTag(stmt))), the DO block's body
-- and language (NULL otherwise), the raw parse tree (nodeToString), so two
-- settings can be compared, and the statement's text (without the semicolon). A syntax error is raised as PostgreSQL's own.
\echo Use "CREATE EXTENSION fkg_testkit" to load this file. \quit
CREATE FUNCTION parse_statements(sql text,
  OUT ord integer, OUT tag text, OUT do_body text, OUT do_language text, OUT tree text, OUT stmt text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fkg_testkit_parse_statements'
LANGUAGE C STRICT VOLATILE;
