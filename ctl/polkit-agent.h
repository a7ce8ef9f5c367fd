/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * As systemd's tools do: before a call that may need authorization, run
 * polkit's text agent (pkttyagent) for our session when stdin and
 * stdout are a terminal and we are not root, so polkit can ask for the
 * password here. No-op otherwise, or when pkttyagent is not installed.
 */
void polkit_agent_open(void);
void polkit_agent_close(void);
