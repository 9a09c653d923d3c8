require_relative '../clean_schema'

class CreateTables11To15 < ActiveRecord::Migration[6.1]
  def up
    CleanSchema.create_tables(self, 10, 15)
  end
end
