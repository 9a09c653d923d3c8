require_relative '../clean_schema'

class AddReferences < ActiveRecord::Migration[6.1]
  def up
    CleanSchema.add_references(self)
  end
end
