/*
 * change.c - the recount rule, kept apart from the crawler so that it can
 * be tested exhaustively without a file system.
 */
#include "config.h"

#include "change.h"
#include "formats/format.h"

enum change change_check(const struct file_meta *disk,
			 const struct index_row *row, unsigned mode_flags,
			 unsigned formats, unsigned force)
{
	if (force & CHANGE_FORCE_ALL)
		return CHANGE_FULL;
	if (file_meta_diff(disk, &row->meta))
		return CHANGE_META;
	if (row->failed && (!(row->flags & ENTRY_F_NORETRY) ||
			    (force & (CHANGE_FORCE_FAILED |
				      CHANGE_FORCE_ARCHIVES))))
		return CHANGE_FAILED;
	if (row->flags & ENTRY_F_RACY)
		return CHANGE_RACY;
	if ((row->flags & ENTRY_F_OPTIONS) != (mode_flags & ENTRY_F_OPTIONS))
		return CHANGE_MODE;
	if ((force & CHANGE_FORCE_ARCHIVES) &&
	    (row->flags & (ENTRY_F_ARCHIVE | ENTRY_F_COMPRESSED)))
		return CHANGE_MODE;
	if (change_format_differs(row, formats))
		return CHANGE_MODE;
	return CHANGE_NONE;
}

int change_format_differs(const struct index_row *row, unsigned formats)
{
	unsigned bit = FORMAT_BIT(row->format);

	if (!(bit & FORMAT_EXTRACTABLE))
		return 0;
	return !(row->flags & ENTRY_F_RAW) != !!(formats & bit);
}

int64_t change_racy_limit(int64_t start_ns)
{
	return start_ns - RACY_MARGIN_NS;
}

int change_is_racy(int64_t ctime_ns, int64_t racy_limit_ns)
{
	return ctime_ns >= racy_limit_ns;
}
