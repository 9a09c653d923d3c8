'use strict';
// How the diagnostic functions talk to the server: one connection, one
// transaction that is always rolled back (nothing a function does stays),
// catalog queries under search_path = pg_catalog, pg_temp (as the
// extension's functions run, with SET search_path), and the caller's own
// search path captured first (implied foreign keys and migration tables are
// looked up on it).

// A pg.Pool (or anything with connect() handing out clients with release())
// or a pg.Client.
async function acquire(db) {
  if (db == null || typeof db.query !== 'function')
    throw new TypeError('pass a pg Client or Pool (an object with a query() method)');
  if (typeof db.connect === 'function' && typeof db.totalCount === 'number') {
    const client = await db.connect();
    return { client, release: (err) => client.release(err) };
  }
  return { client: db, release: () => {} };
}

// Runs fn(session) inside BEGIN ... ROLLBACK. session.query(text, params)
// runs under search_path = pg_catalog, pg_temp; session.callerPath is the
// caller's current_schemas(true) (names), session.callerSearchPath the
// setting itself; session.asCaller(fn) runs fn with the caller's search_path
// (regclass output as the caller sees it).
async function withSession(db, fn) {
  const { client, release } = await acquire(db);
  let failed = null;
  try {
    await client.query('BEGIN');
    const r = await client.query(
      "SELECT pg_catalog.current_schemas(true)::text[] AS path, pg_catalog.current_setting('search_path') AS sp, " +
        "pg_catalog.current_setting('server_version_num')::int AS version");
    const callerPath = r.rows[0].path;
    const callerSearchPath = r.rows[0].sp;
    await client.query("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true)");
    let savepoints = 0;
    const session = {
      client,
      callerPath,
      callerSearchPath,
      serverVersion: r.rows[0].version,
      query: (text, params) => client.query(text, params),
      async asCaller(inner) {
        await client.query("SELECT pg_catalog.set_config('search_path', $1, true)", [callerSearchPath]);
        // after an error the transaction is aborted and only rolled back
        const v = await inner();
        await client.query("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true)");
        return v;
      },
      // Runs inner() in a subtransaction; an error rolls it back and is
      // handed to onError (whose result is returned) or rethrown.
      async guarded(inner, onError) {
        const name = `fkg_sp_${++savepoints}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const v = await inner();
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return v;
        } catch (e) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          if (onError) return onError(e);
          throw e;
        }
      },
    };
    return await fn(session);
  } catch (e) {
    failed = e;
    throw e;
  } finally {
    try {
      await client.query('ROLLBACK');
    } catch (e) {
      if (!failed) failed = e;
    }
    release(failed && failed.code === undefined ? failed : undefined);
  }
}

// An error shaped like the one the pg driver raises for a server error, so
// callers handle the package's errors and the extension's the same way.
function sqlError(code, message, detail, hint) {
  const e = new Error(message);
  e.severity = 'ERROR';
  e.code = code;
  // raised by the package itself (the extension's UserError), not by the server
  e.fkgUserError = true;
  if (detail) e.detail = detail;
  if (hint) e.hint = hint;
  return e;
}

// Does a script written for this database call pg_fk_guard's own
// fk_guard.converts()? Only where the extension is installed and the
// function is the extension's (a schema fk_guard with a function of that
// name, made by anyone, does not count); elsewhere the script defines its
// own stand-in (the engine's convertsHelperSql()). Asked once per session.
async function extensionConverts(s) {
  if (s.extensionConverts === undefined)
    s.extensionConverts = (await s.query(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                       WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                         AND d.objid = pg_catalog.to_regprocedure('fk_guard.converts(anyelement, pg_catalog.regtype, integer)')
                         AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
                         AND e.extname = 'pg_fk_guard') AS ok`)).rows[0].ok;
  return s.extensionConverts;
}

module.exports = { withSession, acquire, sqlError, extensionConverts };
