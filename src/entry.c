/*
 * entry.c - names of the row flags, as the view flag_bits spells them.
 */
#include "config.h"

#include <stddef.h>

#include "entry.h"

const char *entry_flag_name(unsigned bit)
{
	switch (bit) {
	case ENTRY_F_BINARY: return "binary";
	case ENTRY_F_INVALID_UTF8: return "invalid_utf8";
	case ENTRY_F_RACY: return "racy";
	case ENTRY_F_ASCII: return "ascii";
	case ENTRY_F_ARCHIVE: return "archive";
	case ENTRY_F_COMPRESSED: return "compressed";
	case ENTRY_F_LINK: return "link";
	case ENTRY_F_NORETRY: return "noretry";
	case ENTRY_F_NOARCHIVES: return "noarchives";
	case ENTRY_F_NAME_CUT: return "name_cut";
	case ENTRY_F_RAW: return "raw";
	default: return NULL;
	}
}
