'use strict';
// guard(x): the migration guard for the connections a Node.js tool uses,
// where the extension cannot be installed. Each statement that may add a
// foreign key is parsed with PostgreSQL's own parser (libpg-query), its
// foreign keys are judged with the extension's engine (lib/engine.js) on
// facts the server gives (lib/probe.js), before the statement is sent. A
// refusal is thrown as the driver would throw the extension's refusal (a pg
// DatabaseError with the same SQLSTATE, message, DETAIL, HINT and where);
// soft mismatches go to the logger. Where the extension is installed in the
// database, the statement goes through unjudged: the extension judges it.
//
// Works on: a pg Client or Pool, a Sequelize instance, a knex instance, a
// TypeORM DataSource, and node-pg-migrate's client (a pg Client).

const { collect, loadParser, MAY_ADD_FK, DROPS_CONSTRAINT } = require('./guard-collect.js');
const { noteDroppedKeys } = require('./guard-dropped.js');
const { judge, prober, noticeOf, prefetchResolve } = require('./guard-judge.js');
const { serverCannotParse } = require('./grammar.js');

const PATCHED = Symbol.for('pg-fk-guard.patched');

function databaseErrorClass() {
  for (const from of [undefined, safeResolve('pg')]) {
    try {
      const mod = from ? require(require.resolve('pg-protocol', { paths: [from] })) : require('pg-protocol');
      if (mod && mod.DatabaseError) return mod.DatabaseError;
    } catch (e) {
      // try the next place
    }
  }
  return null;
}

function safeResolve(name) {
  try {
    return require.resolve(name);
  } catch (e) {
    return undefined;
  }
}

// The error pg raises for a server ERROR, with the report's fields.
function serverError(r) {
  const DatabaseError = databaseErrorClass();
  const err = DatabaseError ? new DatabaseError(r.message, r.message.length, 'error') : new Error(r.message);
  if (!DatabaseError) err.name = 'error';
  err.severity = r.severity;
  err.code = r.code;
  err.detail = r.detail;
  err.hint = r.hint;
  err.where = r.where;
  err.fkGuard = true;
  if (r.citusKind) err.citusKind = r.citusKind; // refused by Citus's rules: the kind diagnose() reports
  return err;
}

const defaultLogger = {
  warn: (m) => console.warn(m),
  info: (m) => console.info(m),
};

function logNotice(logger, n) {
  const text = `${n.severity}:  ${n.message}\nDETAIL:  ${n.detail}\nHINT:  ${n.hint}`;
  if (typeof logger === 'function') return logger(n, text);
  const fn = n.severity === 'WARNING' ? logger.warn || logger.log : logger.info || logger.log;
  if (fn) fn.call(logger, text, n);
}

function normalizeOptions(options = {}) {
  const o = {
    logger: options.logger === undefined ? defaultLogger : options.logger,
    softMismatches: options.softMismatches || 'warn',
    profileRowLimit: options.profileRowLimit === undefined ? 100000 : options.profileRowLimit,
    hintFunctions: options.hintFunctions || 'package',
    replay: options.replay !== false,
    duplicateKeys: options.duplicateKeys || 'warn',
    validationNoticeRows: options.validationNoticeRows === undefined ? 1000000 : options.validationNoticeRows,
    onSkip: options.onSkip || null,
    onError: options.onError || null,
  };
  if (!['package', 'extension'].includes(o.hintFunctions))
    throw new TypeError("pg-fk-guard: hintFunctions must be 'package' or 'extension'");
  if (!['warn', 'error', 'ignore'].includes(o.softMismatches))
    throw new TypeError("pg-fk-guard: softMismatches must be 'warn', 'error' or 'ignore'");
  if (!['warn', 'error', 'ignore'].includes(o.duplicateKeys))
    throw new TypeError("pg-fk-guard: duplicateKeys must be 'warn', 'error' or 'ignore'");
  if (typeof o.validationNoticeRows !== 'number' || !(o.validationNoticeRows >= 0))
    throw new TypeError('pg-fk-guard: validationNoticeRows must be a number of rows, 0 or more');
  return o;
}

// The statement text of a query() call, or null.
function statementText(config) {
  if (typeof config === 'string') return config;
  if (config && typeof config === 'object' && typeof config.text === 'string' && typeof config.submit !== 'function')
    return config.text;
  return null;
}

// Patches one pg Client (idempotent). The client's own query() is kept for
// the guard's catalog queries and probes; the caller's queries wait while a
// statement is being judged, so their order on the connection is kept.
function patchClient(client, options) {
  if (!client || typeof client.query !== 'function') return client;
  if (client[PATCHED]) return client;
  const original = client.query;
  const state = { pending: null, options, dropped: { xact: null, keys: [] } };
  const raw = (text, values, name) => original.call(client, values ? (name ? { name, text, values } : { text, values }) : text);
  const session = {
    // name: a prepared statement of this connection, parsed once.
    run: async (text, values, name) => (await raw(text, values || [], name)).rows,
    runRaw: async (text) => raw(text),
    inTransaction: async () => {
      if (typeof client.getTransactionStatus === 'function') {
        const s = client.getTransactionStatus();
        if (s === 'T' || s === 'E') return true;
        if (s === 'I') return false;
      }
      const [r] = await session.run("SELECT pg_catalog.now() <> pg_catalog.statement_timestamp() AS t");
      return r.t;
    },
    // The foreign keys this transaction dropped (guard-dropped.js).
    dropped: state.dropped,
    // The version a catalog answer carried (server_version_num): the
    // grammar check after sending needs no query of its own.
    noteVersion: (v) => {
      if (state.version === undefined && Number.isInteger(v)) state.version = v;
    },
    // server_version_num, read once per connection.
    serverVersion: async () => {
      if (state.version === undefined) {
        const [r] = await session.run("SELECT pg_catalog.current_setting('server_version_num')::int AS v");
        state.version = Number(r.v);
      }
      return state.version;
    },
  };

  // {refusal, notices}: the refusal to throw instead of sending the text
  // (its notices written), or null and the notices to write once the text
  // is sent.
  async function check(text) {
    // The catalog question goes out first; the parse runs while it is answered.
    const prefetched = prefetchResolve(session, text);
    const collected = await collect(text);
    if (collected.statements.length === 0) return { refusal: null, notices: [] };
    const verdict = await judge(session, collected, text, state.options, prefetched);
    if (verdict.skipped) {
      if (state.options.onSkip) state.options.onSkip(verdict.skipped, text);
      return { refusal: null, notices: [] };
    }
    const notices = verdict.notices || [];
    if (!verdict.refusal) return { refusal: null, notices };
    if (await parsedByServer(text)) {
      writeNotices(notices);
      return { refusal: verdict.refusal, notices: [] };
    }
    return { refusal: null, notices: [] };
  }

  // Read with 18's grammar; an older server may not parse the text at all:
  // then the guard stays silent and the server reports its syntax error.
  async function parsedByServer(text) {
    const unparsed = await serverCannotParse(text, await session.serverVersion());
    if (unparsed && state.options.onSkip) state.options.onSkip(unparsed, text);
    return !unparsed;
  }

  function writeNotices(notices) {
    if (!state.options.logger) return;
    for (const n of notices) logNotice(state.options.logger, noticeOf(n));
  }

  // The notices of a text that is sent, written while the server runs it
  // (the text is on the wire already); done before the caller hears back.
  async function noticesOnceSent(text, notices) {
    try {
      if (await parsedByServer(text)) writeNotices(notices);
    } catch (e) {
      if (state.options.onError) state.options.onError(e, text);
    }
  }

  // A refusal inside a transaction block leaves it aborted, as the server's
  // own error would.
  async function abortTransaction() {
    if (!(await session.inTransaction())) return;
    try {
      await raw("DO $fkg$BEGIN RAISE EXCEPTION USING ERRCODE = '42804', MESSAGE = 'pg-fk-guard refused the statement'; END$fkg$");
    } catch (e) {
      // expected
    }
  }

  client.query = function guardedQuery(config, values, callback) {
    const args = arguments;
    const text = statementText(config);
    const candidate = text !== null && MAY_ADD_FK.test(text);
    const drops = text !== null && DROPS_CONSTRAINT.test(text);
    if (!candidate && !drops && !state.pending) return original.apply(client, args);
    // The caller's callback: query(config, values, cb), query(config, cb) or
    // query({text, callback}).
    const configCb = config && typeof config === 'object' && typeof config.callback === 'function' ? config.callback : null;
    const cb = typeof callback === 'function' ? callback : typeof values === 'function' ? values : configCb;
    const before = state.pending || Promise.resolve();
    const run = before.then(async () => {
      if (drops) {
        try {
          await noteDroppedKeys(session, state.dropped, text);
        } catch (e) {
          if (state.options.onError) state.options.onError(e, text);
        }
      }
      if (!candidate) return { send: true, notices: [] };
      let verdict = { refusal: null, notices: [] };
      try {
        verdict = await check(text);
      } catch (e) {
        // The guard could not judge: it stays silent, PostgreSQL speaks.
        if (state.options.onError) state.options.onError(e, text);
      }
      if (!verdict.refusal) return { send: true, notices: verdict.notices };
      await abortTransaction();
      return { send: false, error: serverError(verdict.refusal) };
    });
    // Sends the caller's query; its notices are written meanwhile, and
    // before the caller hears back.
    const send = (r) => {
      if (r.notices.length === 0) return original.apply(client, args);
      if (cb) {
        const a = [...args];
        let written = Promise.resolve();
        const later = (...out) => written.then(() => cb(...out));
        if (cb === configCb) a[0] = { ...config, callback: later };
        else a[a.indexOf(cb)] = later;
        original.apply(client, a);
        written = noticesOnceSent(text, r.notices);
        return undefined;
      }
      const sent = original.apply(client, args);
      const written = noticesOnceSent(text, r.notices);
      return Promise.resolve(sent).then((v) => written.then(() => v), (e) => written.then(() => Promise.reject(e)));
    };
    // Sent (or refused) first, then the next query may go: the order of the
    // caller's queries on the connection is kept.
    const result = cb
      ? run.then((r) => {
        if (r.send) send(r);
        else cb(r.error);
      })
      : run.then((r) => (r.send ? send(r) : Promise.reject(r.error)));
    // The next query waits for the check, not for the caller's query.
    const done = run.then(() => undefined, () => undefined);
    state.pending = done;
    done.then(() => {
      if (state.pending === done) state.pending = null;
    });
    return cb ? undefined : result;
  };
  client[PATCHED] = true;
  return client;
}

function patchPool(pool, options) {
  if (pool[PATCHED]) return pool;
  const connect = pool.connect;
  pool.connect = function guardedConnect(cb) {
    if (typeof cb === 'function') {
      return connect.call(pool, (err, client, release) => {
        if (!err) patchClient(client, options);
        cb(err, client, release);
      });
    }
    return connect.call(pool).then((client) => patchClient(client, options));
  };
  for (const c of pool._clients || []) patchClient(c, options);
  pool[PATCHED] = true;
  return pool;
}

function isPool(x) {
  return x && typeof x.connect === 'function' && typeof x.query === 'function' && ('totalCount' in x || '_clients' in x);
}

function isClient(x) {
  return x && typeof x.query === 'function' && typeof x.connect === 'function' && 'connection' in x;
}

// guard(x, {logger, softMismatches, profileRowLimit}): x itself, guarded.
function guard(x, options) {
  const o = normalizeOptions(options);
  loadParser(); // start loading the parser now; the first DDL waits for it
  if (!x) throw new TypeError('pg-fk-guard: guard() needs a pg Client or Pool, Sequelize, knex or a TypeORM DataSource');
  // Sequelize: every query takes a connection from its connection manager.
  if (x.connectionManager && typeof x.connectionManager.getConnection === 'function' && typeof x.getDialect === 'function') {
    if (x.getDialect() !== 'postgres') throw new TypeError('pg-fk-guard: this Sequelize instance is not for PostgreSQL');
    const cm = x.connectionManager;
    if (!cm[PATCHED]) {
      const get = cm.getConnection.bind(cm);
      cm.getConnection = async (...a) => patchClient(await get(...a), o);
      cm[PATCHED] = true;
    }
    return x;
  }
  // knex: every query goes through client._query(connection, obj).
  if (typeof x === 'function' && x.client && typeof x.client._query === 'function') {
    const kc = x.client;
    if (!kc[PATCHED]) {
      const q = kc._query;
      kc._query = function guardedKnexQuery(connection, obj) {
        patchClient(connection, o);
        return q.call(this, connection, obj);
      };
      kc[PATCHED] = true;
    }
    return x;
  }
  // TypeORM: the driver's connections come from obtainMasterConnection().
  if (x.driver && typeof x.driver.obtainMasterConnection === 'function') {
    const d = x.driver;
    if (!d[PATCHED]) {
      for (const m of ['obtainMasterConnection', 'obtainSlaveConnection']) {
        if (typeof d[m] !== 'function') continue;
        const f = d[m];
        d[m] = async function guardedObtain(...a) {
          const [conn, release] = await f.apply(this, a);
          return [patchClient(conn, o), release];
        };
      }
      d[PATCHED] = true;
    }
    return x;
  }
  if (isPool(x)) return patchPool(x, o);
  if (isClient(x)) return patchClient(x, o);
  throw new TypeError('pg-fk-guard: guard() needs a pg Client or Pool, Sequelize, knex or a TypeORM DataSource');
}

module.exports = { guard, serverError, patchClient, prober };
