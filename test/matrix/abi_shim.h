/*
 * Force-included (g++ -include) by test/matrix.sh into the builds for the
 * downloaded servers only, never into a real build.
 *
 * The matrix compiles against Debian's server headers, whose minor release
 * can be newer than the downloaded server's (17.12 headers, 17.10 server).
 * 17.12's heap_getattr() calls heap_datum_check(), which 17.10 lacks, so the
 * module would not even load there. The call only happens for a "versioned
 * datum" tuple (t_ctid offset 0xfffc), which a server without that function
 * never makes; a weak reference lets the module load and binds normally on a
 * server that has it. test/matrix.sh refuses any other symbol the server
 * does not export.
 */
#pragma weak heap_datum_check
