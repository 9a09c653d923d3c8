require_relative '../clean_schema'

class CreateTables6To10 < ActiveRecord::Migration[6.1]
  def up
    CleanSchema.create_tables(self, 5, 10)
  end
end
