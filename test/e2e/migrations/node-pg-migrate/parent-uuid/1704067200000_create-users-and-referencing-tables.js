export { up, down } from '../parent-bigint/1704067200000_create-users-and-referencing-tables.js';
