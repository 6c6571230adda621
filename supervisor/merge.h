/*
 * `memsup merge A.json B.json... -o ALL.json`: one run from the --json
 * files of the shards of a CI matrix, for `memsup compare` and
 * --baseline (docs/reports.md, "Merging shards"). The scopes are the
 * shards' scopes in the order the files are given; exit_status and
 * program_exit_status are the highest of the shards' (a failed shard
 * fails the whole), time is their sum; program, argv and policy are the
 * first file's; "merged_from" lists the files. Each input must be a
 * memsup JSON document (format_version 1 or 2).
 */
#ifndef MEMSUP_MERGE_H
#define MEMSUP_MERGE_H

/* ARGV[0] is "merge". Returns the exit status: 0, or 2 on bad input. */
int merge_main(int argc, char **argv);

#endif
