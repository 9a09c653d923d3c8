export { up, down } from '../alter-then-foreign/20240101000000_create_users_and_sessions.js';
