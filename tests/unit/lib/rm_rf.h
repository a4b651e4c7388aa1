/*
 * rm_rf.h: removes a test's temporary directory and everything in it, by
 * `rm -rf -- DIR` run without a shell, so that no character of the path
 * (TMPDIR's) needs quoting.
 */
#ifndef SANILOG_TEST_RM_RF_H
#define SANILOG_TEST_RM_RF_H

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* 0 when rm removed dir, else -1. */
static inline int rm_rf(const char *dir)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

#endif
