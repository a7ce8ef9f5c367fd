// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

#include "polkit-agent.h"

#define PKTTYAGENT "/usr/bin/pkttyagent"

static pid_t agent_pid;

void polkit_agent_open(void)
{
	struct pollfd p = { .events = POLLHUP };
	char fdarg[16];
	int fds[2], fd;

	if (agent_pid > 0 || geteuid() == 0 || !isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO) || access(PKTTYAGENT, X_OK) < 0)
		return;
	/*
	 * pkttyagent talks to the controlling terminal (/dev/tty), not to our
	 * stdin: without one (`su -c` starts the command in a new session, so
	 * does setsid) it could only fail, with a message about /dev/tty.
	 */
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	close(fd);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	agent_pid = fork();
	if (agent_pid < 0) {
		agent_pid = 0;
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (agent_pid == 0) {
		/* The agent closes the fd once it is registered. */
		if (fcntl(fds[1], F_SETFD, 0) < 0)
			_exit(127);
		snprintf(fdarg, sizeof(fdarg), "%d", fds[1]);
		execl(PKTTYAGENT, PKTTYAGENT, "--notify-fd", fdarg, "--fallback", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	p.fd = fds[0];
	/* Until it is ready (or gone): a call made before would not prompt. */
	while (poll(&p, 1, 10 * 1000) < 0 && errno == EINTR)
		;
	close(fds[0]);
}

void polkit_agent_close(void)
{
	if (agent_pid <= 0)
		return;
	kill(agent_pid, SIGTERM);
	while (waitpid(agent_pid, NULL, 0) < 0 && errno == EINTR)
		;
	agent_pid = 0;
}
