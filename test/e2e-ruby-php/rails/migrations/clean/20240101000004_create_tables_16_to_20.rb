require_relative '../clean_schema'

class CreateTables16To20 < ActiveRecord::Migration[6.1]
  def up
    CleanSchema.create_tables(self, 15, 20)
  end
end
