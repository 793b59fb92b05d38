/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tty layer's differences between the kernels xenpv builds for, for
 * xencons.  Each rests on a compile probe in include/probes/.
 */
#ifndef XENPV_TTY_COMPAT_H
#define XENPV_TTY_COMPAT_H

/* tty_operations.write: (const u8 *, int) -> int, later size_t -> ssize_t. */
#ifdef XENPV_HAVE_TTY_WRITE_SSIZE
#define XENPV_TTY_WRITE_RET	ssize_t
#define XENPV_TTY_WRITE_LEN	size_t
#else
#define XENPV_TTY_WRITE_RET	int
#define XENPV_TTY_WRITE_LEN	int
#endif

/* tty_operations.write_room and .chars_in_buffer: int, later unsigned int. */
#ifdef XENPV_HAVE_TTY_WRITE_ROOM_UINT
#define XENPV_TTY_ROOM		unsigned int
#else
#define XENPV_TTY_ROOM		int
#endif

#endif /* XENPV_TTY_COMPAT_H */
