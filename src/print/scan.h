/*
 * scan.h: reading the QR code of a poster from a photo (zbar).
 */
#ifndef SANILOG_SCAN_H
#define SANILOG_SCAN_H

#include <stddef.h>

#include "base/status.h"

/*
 * Decodes the first QR code found in a PNG or JPEG image file and writes
 * its text and a NUL into out (outsize bytes).  ST_NOT_FOUND when the
 * image holds no QR code; ST_INVALID when the file is not a readable PNG
 * or JPEG; ST_TOO_LARGE when the text does not fit.
 */
enum status scan_image(const char *path, char *out, size_t outsize,
		       struct err *e);

#endif
