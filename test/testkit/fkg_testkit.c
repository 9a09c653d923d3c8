/*
 * Test-only: the server's raw parser as a set-returning function, so the
 * property tests can check that a generated script is exactly the
 * statements it announces. Never part of the product.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(fkg_testkit_parse_statements);

Datum
fkg_testkit_parse_statements(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *stmts;
	ListCell   *lc;
	int			ord = 0;

	InitMaterializedSRF(fcinfo, 0);
	stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	foreach(lc, stmts)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		Datum		values[6];
		bool		nulls[6] = {false, false, true, true, false, false};
		int			loc = raw->stmt_location < 0 ? 0 : raw->stmt_location;
		int			len = raw->stmt_len > 0 ? raw->stmt_len : (int) strlen(sql) - loc;

		values[0] = Int32GetDatum(++ord);
		values[1] = CStringGetTextDatum(GetCommandTagName(CreateCommandTag(raw->stmt)));
		if (IsA(raw->stmt, DoStmt))
		{
			ListCell   *arg;

			values[3] = CStringGetTextDatum("plpgsql");
			nulls[3] = false;
			foreach(arg, ((DoStmt *) raw->stmt)->args)
			{
				DefElem    *d = lfirst_node(DefElem, arg);

				if (strcmp(d->defname, "as") == 0)
				{
					values[2] = CStringGetTextDatum(strVal(d->arg));
					nulls[2] = false;
				}
				else if (strcmp(d->defname, "language") == 0)
					values[3] = CStringGetTextDatum(strVal(d->arg));
			}
		}
		values[4] = CStringGetTextDatum(nodeToString(raw->stmt));
		values[5] = PointerGetDatum(cstring_to_text_with_len(sql + loc, len));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
