# Rails (Active Record 6.1, Debian's ruby-activerecord, with the pg gem):
# each test gets a fresh database with pg_fk_guard created in it by the
# superuser and owned by an ordinary role, and runs migrations the way
# `bin/rails db:migrate` does: ActiveRecord::Tasks::DatabaseTasks.migrate ->
# connection.migration_context.migrate, one transaction per migration. The
# connection settings come from the libpq variables (PGHOST may be a socket
# directory) that test/run_e2e_ruby_php.sh points at its throwaway cluster.
require 'minitest/autorun'
require 'active_record'
require 'active_record/tasks/database_tasks'
require 'pg'
require 'securerandom'
require 'stringio'
require 'fileutils'
require 'logger'
require 'json'
require_relative 'migrations/clean_schema'

module FkgRails
  HOST = ENV.fetch('PGHOST', '/var/run/postgresql')
  PORT = Integer(ENV.fetch('PGPORT', '5432'))
  SUPERUSER = ENV.fetch('FKG_E2E_SUPERUSER', 'postgres')
  APP_ROLE = ENV.fetch('FKG_E2E_ROLE', 'fkg_app')
  HERE = __dir__
  MIGRATIONS = File.join(HERE, 'migrations')
  FIXTURES = File.expand_path('../fixtures/rails', HERE)
  WORK = File.expand_path('../../../build/e2e-ruby-php/rails-work', HERE)
  GUARD_CONTEXT = 'pg_fk_guard: checked before PostgreSQL ran the statement'.freeze

  def self.with_conn(dbname, user = SUPERUSER)
    conn = PG.connect(host: HOST, port: PORT, user: user, dbname: dbname)
    conn.set_notice_receiver { |_r| } # keep the test's own output clean
    yield conn
  ensure
    conn&.close
  end

  # One server message as psql shows it.
  def self.describe(result)
    f = ->(code) { result.error_field(code) }
    lines = ["#{f.(PG::Result::PG_DIAG_SEVERITY)}:  #{f.(PG::Result::PG_DIAG_MESSAGE_PRIMARY)}"]
    { 'DETAIL' => PG::Result::PG_DIAG_MESSAGE_DETAIL, 'HINT' => PG::Result::PG_DIAG_MESSAGE_HINT,
      'CONTEXT' => PG::Result::PG_DIAG_CONTEXT }.each do |label, code|
      lines << "#{label}:  #{f.(code)}" if f.(code)
    end
    lines.join("\n")
  end

  # What a test records about one run of the migrations.
  class Run
    attr_reader :sent, :notices, :log, :output, :error, :stderr

    def initialize(sent, notices, log, output, error, stderr)
      @sent = sent
      @notices = notices
      @log = log
      @output = output
      @error = error
      @stderr = stderr
    end

    # The guard's notices: CONTEXT names pg_fk_guard, or the message a key.
    def ours
      notices.select do |n|
        [n[:message], n[:detail], n[:hint], n[:context]].compact.join("\n") =~ /pg_fk_guard|foreign key constraint/i
      end
    end

    # The statements that change the schema (no catalog reads, no
    # transaction control, no bookkeeping).
    def ddl
      sent.grep(/\A\s*(ALTER|CREATE|DROP|INSERT INTO "(?!schema_migrations|ar_internal_metadata))/)
          .reject { |s| s =~ /"schema_migrations"|"ar_internal_metadata"/ }
    end
  end

  class Database
    attr_reader :name

    def initialize(label)
      @name = "e2e_rails_#{label}_#{SecureRandom.hex(3)}"
      FkgRails.with_conn('postgres') do |admin|
        admin.exec(<<~SQL)
          DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '#{APP_ROLE}') THEN
              CREATE ROLE #{APP_ROLE} LOGIN NOSUPERUSER;
            END IF;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END $$
        SQL
        admin.exec("CREATE DATABASE #{@name} OWNER #{APP_ROLE} TEMPLATE template0")
      end
      FkgRails.with_conn(@name) { |c| c.exec('CREATE EXTENSION pg_fk_guard') }
    end

    # Connects Active Record as the application role, with these migration
    # directories (config/database.yml's migrations_paths).
    def connect(paths, **extra)
      ActiveRecord::Base.establish_connection(
        { adapter: 'postgresql', host: HOST, port: PORT, username: APP_ROLE, database: @name,
          migrations_paths: Array(paths) }.merge(extra)
      )
      ActiveRecord::Base.connection # connect now
    end

    # A plain pg connection as the application role, for checks.
    def rows(sql, params = [])
      FkgRails.with_conn(@name, APP_ROLE) { |c| c.exec_params(sql, params).to_a }
    end

    def column_type(table, column)
      r = rows('SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute ' \
               'WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped', [table, column])
      r.first && r.first['type']
    end

    def foreign_keys(table)
      rows("SELECT conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint " \
           "WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname", [table])
    end

    def drop
      ActiveRecord::Base.remove_connection
      FkgRails.with_conn('postgres') { |admin| admin.exec("DROP DATABASE IF EXISTS #{@name} WITH (FORCE)") }
    end
  end

  # Runs pending migrations as `rails db:migrate` does. Records every
  # statement Active Record sends (the sql.active_record events its logger
  # writes), its log, the migrator's own output, and the server's notices as
  # the pg gem hands them to a notice receiver (receive_notices: true) or, by
  # default, as libpq prints them to the process's stderr.
  def self.migrate(receive_notices: true)
    sent = []
    notices = []
    log = StringIO.new
    ActiveRecord::Base.logger = Logger.new(log)
    sub = ActiveSupport::Notifications.subscribe('sql.active_record') { |*, payload| sent << payload[:sql] }
    conn = ActiveRecord::Base.connection.raw_connection
    if receive_notices
      conn.set_notice_receiver do |r|
        notices << { severity: r.error_field(PG::Result::PG_DIAG_SEVERITY),
                     sqlstate: r.error_field(PG::Result::PG_DIAG_SQLSTATE),
                     message: r.error_field(PG::Result::PG_DIAG_MESSAGE_PRIMARY),
                     detail: r.error_field(PG::Result::PG_DIAG_MESSAGE_DETAIL),
                     hint: r.error_field(PG::Result::PG_DIAG_MESSAGE_HINT),
                     context: r.error_field(PG::Result::PG_DIAG_CONTEXT) }
      end
    end
    output = StringIO.new
    error = nil
    stderr = capture_stderr do
      stdout_was = $stdout
      $stdout = output
      begin
        ActiveRecord::Tasks::DatabaseTasks.migrate
      rescue StandardError => e
        error = e
      ensure
        $stdout = stdout_was
      end
    end
    Run.new(sent, notices, log.string, output.string, error, stderr)
  ensure
    ActiveSupport::Notifications.unsubscribe(sub) if sub
    ActiveRecord::Base.logger = nil
  end

  # libpq's default notice processor writes to file descriptor 2.
  def self.capture_stderr
    FileUtils.mkdir_p(WORK)
    path = File.join(WORK, "stderr-#{SecureRandom.hex(4)}.txt")
    saved = STDERR.dup
    STDERR.reopen(path, 'w')
    begin
      yield
    ensure
      STDERR.flush
      STDERR.reopen(saved)
      saved.close
    end
    text = File.read(path)
    File.delete(path)
    text
  end

  def self.recorded_versions
    ActiveRecord::Base.connection.select_values('SELECT version FROM schema_migrations ORDER BY version')
  end

  # The statements a scenario sends, kept in fixtures/rails/<name>.sql (each
  # statement as sent, then ";" and a blank line); FKG_E2E_RECORD=1 rewrites
  # them. Returns [the committed text, the text of this run].
  def self.fixture(name, statements)
    path = File.join(FIXTURES, "#{name}.sql")
    text = "-- Active Record #{ActiveRecord::VERSION::STRING} (pg #{PG::VERSION}): the statements " \
           "test/e2e-ruby-php/rails sends for #{name}, in order.\n" + statements.map { |s| "#{s};\n\n" }.join
    if ENV['FKG_E2E_RECORD'] == '1' || !File.exist?(path)
      FileUtils.mkdir_p(FIXTURES)
      File.write(path, text)
    end
    [File.read(path), text]
  end

  # A repair migration as a user commits it: the generated script verbatim
  # in a heredoc, run with execute inside the migration's transaction. The
  # plan's header (its leading "--" lines) becomes Ruby comments: Active
  # Record 6.1 matches every statement given to execute against a regexp
  # (READ_QUERY, in write_query?) that backtracks exponentially over leading
  # SQL comment lines (12 lines: 0.8 s, 16 lines: 81 s), so a script that
  # starts with a long comment stalls the migration.
  def self.repair_directory(version, class_name, comment, plan)
    raise 'the plan contains the heredoc delimiter' if plan.include?('FIX_PLAN')

    header = plan.lines.take_while { |l| l.start_with?('--') }
    body = plan.lines.drop(header.size).join
    dir = File.join(WORK, "repair-#{SecureRandom.hex(4)}")
    FileUtils.mkdir_p(dir)
    file = File.join(dir, "#{version}_#{class_name.gsub(/([a-z])([A-Z])/, '\\1_\\2').downcase}.rb")
    File.write(file, <<~RUBY)
      # Written from: #{comment}
      # The script's header:
      #{header.map { |l| "# #{l}" }.join}
      class #{class_name} < ActiveRecord::Migration[6.1]
        PLAN = <<~'FIX_PLAN'
      #{body.gsub(/^/, '    ')}
        FIX_PLAN

        def up
          execute PLAN
        end

        def down
          raise ActiveRecord::IrreversibleMigration
        end
      end
    RUBY
    dir
  end
end

ActiveRecord::Migration.verbose = true
ENV['VERBOSE'] ||= 'true'
