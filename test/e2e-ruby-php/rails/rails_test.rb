# Rails (Active Record 6.1 migrations through `rails db:migrate`'s code
# path) against pg_fk_guard: the story in Rails' words, what the application
# sees, a soft mismatch, a parent key type change with its repair, and a
# clean 20-table schema.
require_relative 'test_helper'

class RailsTest < Minitest::Test
  include FkgRails
  M = FkgRails::MIGRATIONS
  CONTEXT = FkgRails::GUARD_CONTEXT
  STORY_BASE = %w[20240101000000 20240101000100].freeze

  def setup
    @dbs = []
  end

  def teardown
    @dbs.each(&:drop)
  end

  def fresh(label)
    db = FkgRails::Database.new(label)
    @dbs << db
    db
  end

  def history(db)
    db.rows('SELECT tool, migration, status, recorded_in::text AS recorded_in FROM fk_guard.migration_history() ORDER BY ordinal')
  end

  # The error as the application gets it: rails db:migrate's StandardError
  # -> ActiveRecord::StatementInvalid subclass -> the pg gem's error, whose
  # PG::Result carries every field.
  def unwrap(error)
    assert_kind_of StandardError, error
    assert_match(/\AAn error has occurred, this and all later migrations canceled:\n\n/, error.message)
    ar = error.cause
    assert_kind_of ActiveRecord::StatementInvalid, ar
    pg = ar.cause
    assert_kind_of PG::Error, pg
    assert_same pg.result, ar.cause.result
    [ar, pg, pg.result]
  end

  def field(result, code)
    result.error_field(code)
  end

  # ---- 1 and 2: the story ----------------------------------------------

  def run_story(label, variant)
    db = fresh(label)
    db.connect([File.join(M, 'story'), File.join(M, variant)])
    run = FkgRails.migrate
    [db, run]
  end

  def assert_story_not_recorded(db, run, version)
    assert_equal STORY_BASE, FkgRails.recorded_versions
    refute_includes FkgRails.recorded_versions, version
    assert_equal [%w[Rails 20240101000000 applied schema_migrations], %w[Rails 20240101000100 applied schema_migrations]],
                 history(db).map { |h| [h['tool'], h['migration'], h['status'], h['recorded_in']] }
    assert_equal 'uuid', db.column_type('sessions', 'user_id')
    assert_equal [], db.foreign_keys('sessions')
    assert_equal [], run.ours, 'a refusal is an ERROR, never a notice'
  end

  def test_story_change_column_then_add_foreign_key
    db, run = run_story('story_cc', 'story-change-column')
    # What Active Record sent: the type change without USING; the foreign
    # key never came.
    assert_fixture('story-change-column', run.ddl.last(1))
    assert_equal ['ALTER TABLE "sessions" ALTER COLUMN "user_id" TYPE integer'], run.ddl.last(1)
    refute(run.sent.any? { |s| s =~ /FOREIGN KEY/ })

    ar, pg, result = unwrap(run.error)
    diag(FkgRails.describe(result))
    assert_kind_of ActiveRecord::StatementInvalid, ar
    assert_kind_of PG::DatatypeMismatch, pg
    assert_equal '42804', field(result, PG::Result::PG_DIAG_SQLSTATE)
    assert_equal 'column "user_id" cannot be cast automatically to type integer', field(result, PG::Result::PG_DIAG_MESSAGE_PRIMARY)
    detail = field(result, PG::Result::PG_DIAG_MESSAGE_DETAIL)
    assert detail.start_with?('sessions.user_id is uuid and holds keys of users.id (by its name; no foreign key is declared). No cast turns uuid into integer'), detail
    assert_match(/sessions holds 6 rows: 2 with user_id NULL, 4 uuid values that cannot become integer/, detail)
    hint = field(result, PG::Result::PG_DIAG_MESSAGE_HINT)
    assert_match(/SELECT fk_guard\.fix_plan\('sessions', 'user_id', 'users', 'id', on_unconvertible => 'map'\)/, hint)
    assert_match(/Rails: run the statements fix_plan\(\) writes with execute in the migration; change_column \.\.\., using: cannot look values up in another table\./, hint)
    assert_equal CONTEXT, field(result, PG::Result::PG_DIAG_CONTEXT)
    # The message Rails prints (ActiveRecord::StatementInvalid#message) is
    # the server's whole error text, DETAIL and HINT included.
    assert_match(/\APG::DatatypeMismatch: ERROR:  column "user_id" cannot be cast automatically to type integer\nDETAIL:  /, ar.message)
    assert_includes ar.message, "\nHINT:  #{hint}\nCONTEXT:  #{CONTEXT}\n"
    assert_includes run.error.message, "\nHINT:  #{hint}"
    assert_story_not_recorded(db, run, '20240201000000')
  end

  def test_story_add_foreign_key_on_the_uuid_column
    db, run = run_story('story_fk', 'story-add-foreign-key')
    fk = run.ddl.last(1)
    assert_fixture('story-add-foreign-key', fk)
    assert_equal [%(ALTER TABLE "sessions" ADD CONSTRAINT "fk_rails_758836b4f0"\nFOREIGN KEY ("user_id")\n  REFERENCES "users" ("id")\n)], fk

    ar, pg, result = unwrap(run.error)
    diag(FkgRails.describe(result))
    assert_kind_of PG::DatatypeMismatch, pg
    assert_equal ActiveRecord::StatementInvalid, ar.class, '42804 has no Active Record subclass of its own'
    assert_equal '42804', field(result, PG::Result::PG_DIAG_SQLSTATE)
    assert_equal 'foreign key constraint "fk_rails_758836b4f0" cannot be implemented', field(result, PG::Result::PG_DIAG_MESSAGE_PRIMARY)
    detail = field(result, PG::Result::PG_DIAG_MESSAGE_DETAIL)
    assert detail.start_with?('sessions.user_id is uuid; users.id is integer. '), detail
    assert_match(/sessions holds 6 rows: 2 with user_id NULL, 4 uuid values that cannot become integer/, detail)
    hint = field(result, PG::Result::PG_DIAG_MESSAGE_HINT)
    assert_match(/There is no cast from uuid to integer/, hint)
    assert_match(/SELECT fk_guard\.fix_plan\('sessions', 'user_id', 'users', 'id', on_unconvertible => 'map', constraint_name => 'fk_rails_758836b4f0'\) writes that script/, hint)
    assert_match(/sessions\.user_id is still uuid: nothing so far has changed its type\./, hint)
    # The Rails sentence, then (schema_migrations is on the search path) the
    # explain() call for what the DETAIL leaves out.
    assert hint.end_with?('Rails: give the reference the key\'s type, integer: add_reference :sessions, :user, type: :integer, foreign_key: true (or t.references ... type: :integer); for an existing column, change_column (with using: where the cast needs it) before add_foreign_key, or, where no cast exists, execute the statements fix_plan() writes. ' \
                          "What the DETAIL leaves out (which migrations ran): SELECT fk_guard.explain('public.sessions', 'user_id');"), hint
    assert_equal CONTEXT, field(result, PG::Result::PG_DIAG_CONTEXT)
    assert_includes ar.message, "\nDETAIL:  #{detail}\nHINT:  #{hint}\n"
    # The migrator's log has the failing statement and nothing else of ours.
    assert_match(/ALTER TABLE "sessions" ADD CONSTRAINT "fk_rails_758836b4f0"/, run.log)
    assert_story_not_recorded(db, run, '20240201000000')
  end

  def test_add_reference_bigint_to_a_uuid_key
    db = fresh('add_ref')
    db.connect([File.join(M, 'uuid-users'), File.join(M, 'add-reference')])
    run = FkgRails.migrate
    ddl = run.ddl.last(3)
    assert_fixture('add-reference', ddl)
    assert_equal ['ALTER TABLE "account_sessions" ADD "account_id" bigint',
                  'CREATE INDEX "index_account_sessions_on_account_id" ON "account_sessions" ("account_id")',
                  %(ALTER TABLE "account_sessions" ADD CONSTRAINT "fk_rails_ff2a4cd5c7"\nFOREIGN KEY ("account_id")\n  REFERENCES "accounts" ("id")\n)].map { |s| s.sub('ff2a4cd5c7', ddl[2][/fk_rails_(\h{10})/, 1].to_s) }, ddl
    _ar, _pg, result = unwrap(run.error)
    diag(FkgRails.describe(result))
    assert_equal '42804', field(result, PG::Result::PG_DIAG_SQLSTATE)
    assert_match(/\Aforeign key constraint "fk_rails_\h{10}" cannot be implemented\z/, field(result, PG::Result::PG_DIAG_MESSAGE_PRIMARY))
    assert_match(/\Aaccount_sessions\.account_id is bigint; accounts\.id is uuid\. .* account_sessions holds 3 rows, all with account_id NULL\.\z/,
                 field(result, PG::Result::PG_DIAG_MESSAGE_DETAIL))
    hint = field(result, PG::Result::PG_DIAG_MESSAGE_HINT)
    assert_match(/\AEvery account_sessions\.account_id is NULL, so the type can change without losing anything: ALTER TABLE account_sessions ALTER COLUMN account_id TYPE uuid USING NULL;/, hint)
    assert_match(/Rails: give the reference the key's type, uuid: add_reference :account_sessions, :account, type: :uuid, foreign_key: true/, hint)
    # One transaction per migration: the column and the index are gone.
    assert_equal %w[20240101000000], FkgRails.recorded_versions
    assert_nil db.column_type('account_sessions', 'account_id')
  end

  # ---- 3: a soft mismatch ------------------------------------------------

  WIDEN_WARNING = {
    severity: 'WARNING', sqlstate: '01000',
    message: 'foreign key constraint "fk_rails_ff2e1a3ebf" pairs integer with bigint (narrower)',
    detail: 'orders.account_id is integer; accounts.id is bigint. The referencing type integer cannot hold every bigint key: references to keys above 2147483647 cannot be stored.',
    hint: 'To match, convert orders.account_id: ALTER TABLE orders ALTER COLUMN account_id TYPE bigint.',
    context: FkgRails::GUARD_CONTEXT
  }.freeze

  def widen(label, receive_notices:, **connect)
    db = fresh(label)
    db.connect([File.join(M, 'widening-base')], **connect)
    assert_nil FkgRails.migrate.error
    db.connect([File.join(M, 'widening-base'), File.join(M, 'widening')], **connect)
    [db, FkgRails.migrate(receive_notices: receive_notices)]
  end

  def test_soft_mismatch_warning_reaches_the_notice_receiver
    db, run = widen('widen_rcv', receive_notices: true)
    assert_nil run.error
    fk = run.ddl.last(1)
    assert_fixture('widening', fk)
    name = fk[0][/fk_rails_\h{10}/]
    assert_equal [%(ALTER TABLE "orders" ADD CONSTRAINT "#{name}"\nFOREIGN KEY ("account_id")\n  REFERENCES "accounts" ("id")\n)], fk
    run.ours.each { |n| diag(n.map { |k, v| "#{k}: #{v}" }.join("\n")) }
    assert_equal [WIDEN_WARNING.merge(message: WIDEN_WARNING[:message].sub('fk_rails_ff2e1a3ebf', name))], run.ours
    assert_includes FkgRails.recorded_versions, '20240301000000'
    assert_equal [name], db.foreign_keys('orders').map { |f| f['conname'] }
    # Active Record's log and its migration output never mention it.
    refute_match(/narrower|pairs integer/, run.log + run.output)
    # Active Record sets client_min_messages = warning: WARNINGs arrive,
    # NOTICEs do not.
    assert_equal 'warning', ActiveRecord::Base.connection.select_value('SHOW client_min_messages')
  end

  def test_soft_mismatch_warning_goes_to_stderr_without_a_receiver
    _db, run = widen('widen_err', receive_notices: false)
    assert_nil run.error
    diag("stderr: #{run.stderr}")
    # libpq's default notice processor prints it to the process's stderr,
    # as `rails db:migrate` shows it in the terminal.
    assert_match(/\AWARNING:  foreign key constraint "fk_rails_\h{10}" pairs integer with bigint \(narrower\)\nDETAIL:  orders\.account_id is integer; accounts\.id is bigint\./, run.stderr)
    # libpq prints CONTEXT for errors only (PQSHOW_CONTEXT_ERRORS): the
    # WARNING ends with its HINT.
    assert run.stderr.end_with?("\nHINT:  #{WIDEN_WARNING[:hint]}\n"), run.stderr
    refute_includes run.stderr, 'CONTEXT'
    refute_match(/narrower/, run.log + run.output)
  end

  def test_soft_mismatch_fails_with_variables_in_database_yml
    # config/database.yml: variables: { pg_fk_guard.soft_mismatches: error }
    db, run = widen('widen_var', receive_notices: true, variables: { 'pg_fk_guard.soft_mismatches' => 'error' })
    _ar, pg, result = unwrap(run.error)
    diag(FkgRails.describe(result))
    assert_kind_of PG::DatatypeMismatch, pg
    assert_match(/pairs integer with bigint \(narrower\)\z/, field(result, PG::Result::PG_DIAG_MESSAGE_PRIMARY))
    assert_equal "#{WIDEN_WARNING[:hint]} Or set pg_fk_guard.soft_mismatches = warn to accept it.", field(result, PG::Result::PG_DIAG_MESSAGE_HINT)
    refute_includes FkgRails.recorded_versions, '20240301000000'
    assert_equal [], db.foreign_keys('orders')
  end

  # ---- 4: a parent key type change, and the repair ---------------------

  REFERENCING = [
    ['posts', 'author_id'], ['comments', 'user_id'], ['sessions', 'user_id']
  ].freeze

  def parent(label, variant)
    db = fresh(label)
    db.connect([File.join(M, 'parent')])
    assert_nil FkgRails.migrate.error
    paths = [File.join(M, 'parent'), File.join(M, variant)]
    db.connect(paths)
    [db, paths, FkgRails.migrate]
  end

  def test_parent_key_to_bigint_warns_for_every_referencing_column
    db, _paths, run = parent('parent_big', 'parent-bigint')
    assert_nil run.error
    assert_fixture('parent-bigint', run.ddl.last(1))
    assert_equal ['ALTER TABLE "users" ALTER COLUMN "id" TYPE bigint'], run.ddl.last(1)
    assert_equal 'bigint', db.column_type('users', 'id')
    ours = run.ours
    ours.each { |n| diag("#{n[:severity]}:  #{n[:message]}\nDETAIL:  #{n[:detail]}\nHINT:  #{n[:hint]}") }
    assert_equal REFERENCING.size, ours.size
    REFERENCING.each do |table, column|
      n = ours.find { |w| w[:detail].start_with?("#{table}.#{column} is integer; users.id becomes bigint.") }
      assert n, "a WARNING for #{table}.#{column}"
      assert_equal 'WARNING', n[:severity]
      assert_match(/\Aforeign key constraint "fk_rails_\h{10}" will pair integer with bigint \(narrower\)\z/, n[:message])
      assert_equal "Convert #{table}.#{column} too: ALTER TABLE #{table} ALTER COLUMN #{column} TYPE bigint.", n[:hint]
    end
  end

  def test_parent_key_to_uuid_refused_then_change_key_type_plan_as_a_migration
    db, paths, run = parent('parent_uuid', 'parent-uuid')
    assert_fixture('parent-uuid', run.ddl.last(1))
    assert_equal ['ALTER TABLE "users" ALTER COLUMN "id" TYPE uuid'], run.ddl.last(1)
    _ar, pg, result = unwrap(run.error)
    diag(FkgRails.describe(result))
    assert_kind_of PG::DatatypeMismatch, pg
    assert_equal '42804', field(result, PG::Result::PG_DIAG_SQLSTATE)
    assert_match(/\Aforeign key constraint "fk_rails_\h{10}" cannot be implemented\z/, field(result, PG::Result::PG_DIAG_MESSAGE_PRIMARY))
    detail = field(result, PG::Result::PG_DIAG_MESSAGE_DETAIL)
    REFERENCING.each { |t, c| assert_includes detail, "#{t}.#{c} is integer; users.id becomes uuid." }
    hint = field(result, PG::Result::PG_DIAG_MESSAGE_HINT)
    assert hint.start_with?('One ALTER TABLE cannot convert columns of two tables'), hint
    REFERENCING.each { |t, _c| assert_match(/ALTER TABLE #{t} DROP CONSTRAINT fk_rails_\h{10};/, hint) }
    assert hint.end_with?("Or SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid') writes one script that changes users.id together with every column that references it, keeping their foreign keys."), hint
    assert_equal %w[20240101000000], FkgRails.recorded_versions
    assert_equal 'integer', db.column_type('users', 'id')

    # The repair: change_key_type_plan()'s script in a migration that runs
    # before the refused one, then rails db:migrate again.
    before = db.rows('SELECT p.id AS post, u.email FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id')
    plan = db.rows("SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid') AS plan").first['plan']
    diag(plan)
    repair = FkgRails.repair_directory('20240131000000', 'ChangeUsersIdToUuidWithReferences',
                                       "SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid');", plan)
    db.connect(paths + [repair])
    again = FkgRails.migrate
    assert_nil again.error, again.error && again.error.message
    assert_equal %w[20240101000000 20240131000000 20240201000000], FkgRails.recorded_versions
    assert_equal 'uuid', db.column_type('users', 'id')
    REFERENCING.each { |t, c| assert_equal 'uuid', db.column_type(t, c), "#{t}.#{c}" }
    # Every relationship kept, every key still there and validated.
    after = db.rows('SELECT p.id AS post, u.email FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id')
    assert_equal before, after
    REFERENCING.each do |t, c|
      fks = db.foreign_keys(t).select { |f| f['def'].include?("(#{c}) REFERENCES users(id)") }
      assert_equal 1, fks.size, "#{t}: #{db.foreign_keys(t).inspect}"
      assert_equal 't', fks[0]['convalidated']
    end
    assert_equal [], again.ours
    assert_equal [], db.rows('SELECT * FROM fk_guard.diagnose_fk_mismatches()')
  end

  # ---- 1 + 4: the story's repair from fix_plan() -------------------------

  def test_story_repaired_by_fix_plan_map_then_the_migration_succeeds
    db, run = run_story('story_fix', 'story-add-foreign-key')
    assert run.error
    expected = db.rows('SELECT s.sid, u.id AS user_id FROM sessions s LEFT JOIN users u ON u.legacy_uuid = s.user_id ORDER BY s.sid')
    # The name Rails gives the key: the plan adds it under that name, and
    # the original migration's add_foreign_key is then redundant; so the
    # plan is written without constraint_name and Rails adds its own.
    plan = db.rows("SELECT fk_guard.fix_plan('sessions', 'user_id', 'users', on_unconvertible => 'map') AS plan").first['plan']
    diag(plan)
    assert_match(/^-- public\.users\.legacy_uuid holds 4 of the 4 non-NULL values of public\.sessions\.user_id\.$/, plan)
    repair = FkgRails.repair_directory('20240131000000', 'RepairSessionsUserId',
                                       "SELECT fk_guard.fix_plan('sessions', 'user_id', 'users', on_unconvertible => 'map');", plan)
    db.connect([File.join(M, 'story'), File.join(M, 'story-add-foreign-key'), repair])
    again = FkgRails.migrate
    assert_nil again.error, again.error && again.error.message
    assert_equal STORY_BASE + %w[20240131000000 20240201000000], FkgRails.recorded_versions
    assert_equal 'integer', db.column_type('sessions', 'user_id')
    assert_equal expected, db.rows('SELECT sid, user_id FROM sessions ORDER BY sid')
    assert_equal %w[s1:ada@example.com s3:bob@example.com s4:bob@example.com s6:cy@example.com],
                 db.rows('SELECT s.sid, u.email FROM sessions s JOIN users u ON u.id = s.user_id ORDER BY s.sid').map { |r| "#{r['sid']}:#{r['email']}" }
    fks = db.foreign_keys('sessions')
    diag(fks.inspect)
    # The plan's key and Rails' own: the guard names the duplicate.
    assert_equal [['fk_rails_758836b4f0', 'FOREIGN KEY (user_id) REFERENCES users(id)'],
                  ['sessions_user_id_fkey', 'FOREIGN KEY (user_id) REFERENCES users(id)']], fks.map { |f| [f['conname'], f['def']] }
    dup = again.ours.select { |n| n[:message] =~ /duplicates/ }
    assert_equal ['foreign key constraint "fk_rails_758836b4f0" on sessions duplicates "sessions_user_id_fkey"'], dup.map { |n| n[:message] }
    assert_equal [], db.rows("SELECT * FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'sessions'::regclass")
  end

  # ---- 5: a clean schema -----------------------------------------------

  def test_clean_schema_of_20_tables_says_nothing
    db = fresh('clean')
    db.connect([File.join(M, 'clean')], min_messages: 'notice')
    run = FkgRails.migrate
    assert_nil run.error, run.error && run.error.message
    assert_equal 5, FkgRails.recorded_versions.size
    spec = CleanSchema::SPEC
    tables = spec['tables'].map { |t| t['name'] }
    fk_count = spec['tables'].flat_map { |t| t['key'] + t['columns'] }.count { |c| c['references'] } +
               spec['addColumns'].size + spec['addForeignKeys'].size
    assert_equal 20, db.rows("SELECT count(*) AS n FROM pg_class WHERE relkind = 'r' AND relname = ANY($1)", [PG::TextEncoder::Array.new.encode(tables)]).first['n'].to_i
    assert_equal fk_count, db.rows("SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)", [PG::TextEncoder::Array.new.encode(tables)]).first['n'].to_i
    assert_equal %w[bigint integer text uuid], db.rows(<<~SQL).map { |r| r['type'] }
      SELECT DISTINCT format_type(a.atttypid, a.atttypmod) AS type FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey)
       WHERE c.contype = 'f' ORDER BY 1
    SQL
    assert_fixture('clean-foreign-keys', run.ddl.grep(/FOREIGN KEY/))
    diag("#{run.notices.size} notices; #{run.sent.count { |s| s =~ /FOREIGN KEY/ }} statements with foreign keys")
    assert_equal [], run.ours
    assert_equal '', run.stderr
    refute_match(/pg_fk_guard|foreign key constraint/i, run.log + run.output)
    assert_equal [], db.rows('SELECT * FROM fk_guard.diagnose_fk_mismatches()')
    # A control: a NOTICE on Active Record's connection reaches the receiver.
    conn = ActiveRecord::Base.connection
    notices = []
    conn.raw_connection.set_notice_receiver { |r| notices << r.error_field(PG::Result::PG_DIAG_MESSAGE_PRIMARY) }
    conn.execute('DROP TABLE IF EXISTS fkg_control_no_such_table')
    assert_equal ['table "fkg_control_no_such_table" does not exist, skipping'], notices
  end

  private

  def assert_fixture(name, statements)
    recorded, now = FkgRails.fixture(name, statements)
    assert_equal recorded, now, "fixtures/rails/#{name}.sql is not what Active Record sent"
  end

  def diag(text)
    File.open(File.join(FkgRails::WORK, '..', 'rails.log'), 'a') { |f| f.puts("# #{name}\n#{text}\n") }
  end
end
