# Builds test/e2e/migrations/clean-schema.json (20 tables whose keys all
# match: serial, bigserial, uuid and text keys) with Active Record's schema
# statements: create_table with t.references / foreign keys, add_reference,
# add_foreign_key.
require 'json'

module CleanSchema
  SPEC = JSON.parse(File.read(File.expand_path('../../../e2e/migrations/clean-schema.json', __dir__)))

  TYPES = { 'uuid' => :uuid, 'text' => :text, 'integer' => :integer, 'bigint' => :bigint,
            'timestamptz' => :timestamptz }.freeze

  def self.column(t, col)
    t.column col['name'], TYPES.fetch(col['type']), index: col['unique'] ? { unique: true } : false
  end

  def self.create_tables(m, from, to)
    SPEC['tables'][from...to].each do |table|
      keys = table['key']
      generated = keys.size == 1 && { 'serial' => :serial, 'bigserial' => :bigserial, 'uuid' => :uuid }[keys[0]['type']]
      # A generated key is create_table's id:; any other key (text, a
      # reference, several columns) is declared in the block and named in
      # primary_key: as an array.
      options = generated ? { id: generated, primary_key: keys[0]['name'] } : { primary_key: keys.map { |k| k['name'] } }
      m.create_table table['name'], **options do |t|
        keys.each { |k| t.column k['name'], TYPES.fetch(k['type']), null: false } unless generated
        table['columns'].each { |c| column(t, c) }
        (keys + table['columns']).select { |c| c['references'] }.each do |c|
          t.foreign_key c['references'][0], column: c['name'], primary_key: c['references'][1]
        end
      end
    end
  end

  def self.add_references(m)
    SPEC['addColumns'].each do |c|
      if c['name'].end_with?('_id') && c['references'][1] == 'id'
        m.add_reference c['table'], c['name'].delete_suffix('_id'), type: TYPES.fetch(c['type']), index: false,
                                                                    foreign_key: { to_table: c['references'][0] }
      else
        m.add_column c['table'], c['name'], TYPES.fetch(c['type'])
        m.add_foreign_key c['table'], c['references'][0], column: c['name'], primary_key: c['references'][1]
      end
    end
    SPEC['addForeignKeys'].each do |f|
      m.add_foreign_key f['table'], f['references'][0], column: f['column'], primary_key: f['references'][1]
    end
  end
end
