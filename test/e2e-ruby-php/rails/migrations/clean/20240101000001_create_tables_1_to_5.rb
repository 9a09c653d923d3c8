require_relative '../clean_schema'

class CreateTables1To5 < ActiveRecord::Migration[6.1]
  def up
    CleanSchema.create_tables(self, 0, 5)
  end
end
