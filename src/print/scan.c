/*
 * scan.c: the QR code of a poster read back from a photo (see scan.h).
 *
 * The file is recognised by its bytes, never its name: a PNG is decoded by
 * cairo (cairo_image_surface_create_from_png_stream) and turned into an
 * 8-bit grey plane here, composited on white; a JPEG is handed to zbar as
 * fourcc "JPEG" and converted by zbar_image_convert to "Y800" (zbar's own
 * libjpeg decoder).  The headers' sizes are checked before either decoder
 * runs, so a small file cannot make us allocate gigabytes.
 *
 * zbar then looks for QR codes only, in a pyramid: a large photo is first
 * scanned at a quarter or half of its size (2x2 box filter), then, when
 * that finds nothing, at the next size up.  A phone's photo of a poster
 * has modules tens of pixels wide, which zbar reads faster, and at times
 * only, when they are made smaller; a code small in the frame still gets
 * the full resolution.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>
#include <zbar.h>

#include "core/buf.h"
#include "print/scan.h"

#define SCAN_FILE_MAX	(128u << 20)	 /* bytes of an image file */
#define SCAN_PIXELS_MAX (100u * 1000000) /* pixels of an image */
#define SCAN_LEVELS	3		 /* the image, its half, its quarter */
#define SCAN_LEVEL_MIN	500000		 /* pixels of the smallest level */

/* Reads the whole regular file at path into b (capped). */
static enum status read_file(const char *path, struct buf *b, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ST_IO, "%s", strerror(errno));
	struct stat st;
	enum status r = ST_OK;
	if (fstat(fd, &st) != 0) {
		r = err_set(e, ST_IO, "%s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		r = err_set(e, ST_INVALID, "not a regular file");
		goto done;
	}
	for (;;) {
		uint8_t *p = buf_reserve(b, 65536);
		if (p == NULL) {
			r = err_set(e, ST_INVALID,
				    "larger than %u MiB: not a photo of a "
				    "poster",
				    SCAN_FILE_MAX >> 20);
			goto done;
		}
		ssize_t n = read(fd, p, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(e, ST_IO, "%s", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
done:
	close(fd);
	return r;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool size_ok(uint32_t w, uint32_t h)
{
	return w > 0 && h > 0 && w <= 65535 && h <= 65535 &&
	       (uint64_t)w * h <= SCAN_PIXELS_MAX;
}

/* ---- PNG through cairo ---- */

struct reader {
	const uint8_t *p;
	size_t left;
};

static cairo_status_t read_mem(void *closure, unsigned char *data,
			       unsigned int len)
{
	struct reader *r = closure;
	if (len > r->left)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p, len);
	r->p += len;
	r->left -= len;
	return CAIRO_STATUS_SUCCESS;
}

/* Decodes a PNG into a new grey plane (*grey, free with free()). */
static enum status png_grey(const uint8_t *data, size_t len, uint8_t **grey,
			    unsigned *w, unsigned *h, struct err *e)
{
	/* signature, IHDR length and type, width, height */
	if (len < 24 || memcmp(data + 12, "IHDR", 4) != 0)
		return err_set(e, ST_INVALID, "not a readable PNG image");
	if (!size_ok(be32(data + 16), be32(data + 20)))
		return err_set(e, ST_INVALID,
			       "PNG image of %ux%u pixels: empty, or more "
			       "than %u megapixels",
			       be32(data + 16), be32(data + 20),
			       SCAN_PIXELS_MAX / 1000000);
	struct reader rd = {data, len};
	cairo_surface_t *sf =
		cairo_image_surface_create_from_png_stream(read_mem, &rd);
	cairo_status_t cs = cairo_surface_status(sf);
	if (cs != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(sf);
		return err_set(
			e, cs == CAIRO_STATUS_NO_MEMORY ? ST_NOMEM : ST_INVALID,
			"not a readable PNG image (%s)",
			cairo_status_to_string(cs));
	}
	cairo_format_t fmt = cairo_image_surface_get_format(sf);
	if (fmt != CAIRO_FORMAT_ARGB32 && fmt != CAIRO_FORMAT_RGB24) {
		/* Anything else: composite it onto white RGB. */
		int sw = cairo_image_surface_get_width(sf);
		int sh = cairo_image_surface_get_height(sf);
		cairo_surface_t *rgb =
			cairo_image_surface_create(CAIRO_FORMAT_RGB24, sw, sh);
		cairo_t *cr = cairo_create(rgb);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_paint(cr);
		if (fmt == CAIRO_FORMAT_A8 || fmt == CAIRO_FORMAT_A1) {
			cairo_set_source_rgb(cr, 0, 0, 0);
			cairo_mask_surface(cr, sf, 0, 0);
		} else {
			cairo_set_source_surface(cr, sf, 0, 0);
			cairo_paint(cr);
		}
		cairo_destroy(cr);
		cairo_surface_destroy(sf);
		sf = rgb;
		fmt = CAIRO_FORMAT_RGB24;
		if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(sf);
			return err_set(e, ST_NOMEM, "out of memory");
		}
	}
	cairo_surface_flush(sf);
	*w = (unsigned)cairo_image_surface_get_width(sf);
	*h = (unsigned)cairo_image_surface_get_height(sf);
	int stride = cairo_image_surface_get_stride(sf);
	const uint8_t *px = cairo_image_surface_get_data(sf);
	uint8_t *g = malloc((size_t)*w * *h);
	if (g == NULL) {
		cairo_surface_destroy(sf);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	bool alpha = fmt == CAIRO_FORMAT_ARGB32;
	for (unsigned y = 0; y < *h; y++) {
		const uint32_t *row =
			(const uint32_t *)(px + (size_t)y * stride);
		uint8_t *o = g + (size_t)y * *w;
		for (unsigned x = 0; x < *w; x++) {
			uint32_t p = row[x];
			uint32_t r = p >> 16 & 0xff, gg = p >> 8 & 0xff,
				 b = p & 0xff;
			/* premultiplied: over white adds 255 - alpha */
			uint32_t white = alpha ? 255 - (p >> 24) : 0;
			uint32_t y8 = (r * 77 + gg * 150 + b * 29) >> 8;
			y8 += white;
			o[x] = (uint8_t)(y8 > 255 ? 255 : y8);
		}
	}
	cairo_surface_destroy(sf);
	*grey = g;
	return ST_OK;
}

/* ---- JPEG through zbar ---- */

/* The size in a JPEG's first SOF marker; false if there is none. */
static bool jpeg_size(const uint8_t *d, size_t len, uint32_t *w, uint32_t *h)
{
	size_t i = 2;
	while (i + 4 <= len) {
		if (d[i] != 0xff)
			return false;
		uint8_t m = d[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
			i += 2;
			continue;
		}
		if (m == 0xd9 || m == 0xda) /* EOI, SOS before any SOF */
			return false;
		size_t seg = (size_t)d[i + 2] << 8 | d[i + 3];
		if (seg < 2)
			return false;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (seg < 7 || i + 2 + seg > len)
				return false;
			*h = (uint32_t)d[i + 5] << 8 | d[i + 6];
			*w = (uint32_t)d[i + 7] << 8 | d[i + 8];
			return true;
		}
		i += 2 + seg;
	}
	return false;
}

/* Decodes a JPEG into a new zbar Y800 image (*out). */
static enum status jpeg_image(const uint8_t *data, size_t len,
			      zbar_image_t **out, struct err *e)
{
	uint32_t w = 0, h = 0;
	if (!jpeg_size(data, len, &w, &h))
		return err_set(e, ST_INVALID, "not a readable JPEG image");
	if (!size_ok(w, h))
		return err_set(e, ST_INVALID,
			       "JPEG image of %ux%u pixels: empty, or more "
			       "than %u megapixels",
			       w, h, SCAN_PIXELS_MAX / 1000000);
	zbar_image_t *src = zbar_image_create();
	if (src == NULL)
		return err_set(e, ST_NOMEM, "out of memory");
	zbar_image_set_format(src, zbar_fourcc('J', 'P', 'E', 'G'));
	zbar_image_set_size(src, w, h);
	zbar_image_set_data(src, data, len, NULL); /* borrowed */
	zbar_image_t *y =
		zbar_image_convert(src, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_destroy(src);
	if (y == NULL)
		return err_set(e, ST_INVALID, "not a readable JPEG image");
	unsigned yw = zbar_image_get_width(y), yh = zbar_image_get_height(y);
	if (yw != w || yh != h ||
	    zbar_image_get_data_length(y) < (unsigned long)w * h) {
		zbar_image_destroy(y);
		return err_set(e, ST_INVALID, "not a readable JPEG image");
	}
	*out = y;
	return ST_OK;
}

/* ---- scanning ---- */

/* A new Y800 image of half the size (2x2 box filter). */
static zbar_image_t *half(const uint8_t *g, unsigned w, unsigned h)
{
	unsigned hw = w / 2, hh = h / 2;
	uint8_t *o = malloc((size_t)hw * hh);
	zbar_image_t *img = zbar_image_create();
	if (o == NULL || img == NULL) {
		free(o);
		if (img != NULL)
			zbar_image_destroy(img);
		return NULL;
	}
	for (unsigned y = 0; y < hh; y++) {
		const uint8_t *a = g + (size_t)2 * y * w, *b = a + w;
		uint8_t *d = o + (size_t)y * hw;
		for (unsigned x = 0; x < hw; x++)
			d[x] = (uint8_t)((a[2 * x] + a[2 * x + 1] + b[2 * x] +
					  b[2 * x + 1] + 2) >>
					 2);
	}
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, hw, hh);
	zbar_image_set_data(img, o, (unsigned long)hw * hh,
			    zbar_image_free_data);
	return img;
}

/* Scans img; copies the first QR code's text into out.  ST_NOT_FOUND when
 * there is none. */
static enum status scan_one(zbar_image_scanner_t *sc, zbar_image_t *img,
			    char *out, size_t outsize, struct err *e)
{
	int n = zbar_scan_image(sc, img);
	if (n < 0)
		return err_set(e, ST_INTERNAL, "zbar: the scan failed");
	for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s != NULL;
	     s = zbar_symbol_next(s)) {
		if (zbar_symbol_get_type(s) != ZBAR_QRCODE)
			continue;
		const char *d = zbar_symbol_get_data(s);
		size_t len = zbar_symbol_get_data_length(s);
		if (memchr(d, 0, len) != NULL)
			return err_set(e, ST_INVALID,
				       "the QR code holds a NUL byte: not "
				       "text");
		if (len + 1 > outsize)
			return err_set(e, ST_TOO_LARGE,
				       "the QR code holds %zu bytes, more than "
				       "%zu",
				       len, outsize > 0 ? outsize - 1 : 0);
		memcpy(out, d, len);
		out[len] = 0;
		return ST_OK;
	}
	return err_set(e, ST_NOT_FOUND, "no QR code found in the image");
}

enum status scan_image(const char *path, char *out, size_t outsize,
		       struct err *e)
{
	struct buf file;
	zbar_image_t *img = NULL, *pyr[SCAN_LEVELS] = {NULL};
	size_t nlev = 0;
	zbar_image_scanner_t *sc = NULL;
	enum status r;
	static const uint8_t png_sig[8] = {0x89, 'P',  'N',  'G',
					   '\r', '\n', 0x1a, '\n'};

	buf_init(&file, SCAN_FILE_MAX);
	if ((r = read_file(path, &file, e)) != ST_OK)
		goto done;
	if (file.len >= 8 && memcmp(file.data, png_sig, 8) == 0) {
		uint8_t *g = NULL;
		unsigned w = 0, h = 0;
		if ((r = png_grey(file.data, file.len, &g, &w, &h, e)) != ST_OK)
			goto done;
		if ((img = zbar_image_create()) == NULL) {
			free(g);
			r = err_set(e, ST_NOMEM, "out of memory");
			goto done;
		}
		zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
		zbar_image_set_size(img, w, h);
		zbar_image_set_data(img, g, (unsigned long)w * h,
				    zbar_image_free_data);
	} else if (file.len >= 3 && file.data[0] == 0xff &&
		   file.data[1] == 0xd8 && file.data[2] == 0xff) {
		if ((r = jpeg_image(file.data, file.len, &img, e)) != ST_OK)
			goto done;
	} else {
		r = err_set(e, ST_INVALID, "not a PNG or JPEG image");
		goto done;
	}
	buf_free(&file); /* the decoded image is all we need now */

	if ((sc = zbar_image_scanner_create()) == NULL) {
		r = err_set(e, ST_NOMEM, "out of memory");
		goto done;
	}
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* Keep the bytes as they are: no guessing of character sets. */
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);

	/* A pyramid: the image, then halves of it while they keep
	 * SCAN_LEVEL_MIN pixels, scanned from the smallest up. */
	pyr[0] = img;
	img = NULL;
	for (nlev = 1; nlev < SCAN_LEVELS; nlev++) {
		unsigned w = zbar_image_get_width(pyr[nlev - 1]);
		unsigned h = zbar_image_get_height(pyr[nlev - 1]);
		if ((uint64_t)(w / 2) * (h / 2) < SCAN_LEVEL_MIN)
			break;
		pyr[nlev] = half(zbar_image_get_data(pyr[nlev - 1]), w, h);
		if (pyr[nlev] == NULL) {
			r = err_set(e, ST_NOMEM, "out of memory");
			goto done;
		}
	}
	for (size_t i = nlev; i-- > 0;) {
		r = scan_one(sc, pyr[i], out, outsize, e);
		if (r != ST_NOT_FOUND)
			break;
	}
done:
	if (sc != NULL)
		zbar_image_scanner_destroy(sc);
	for (size_t i = 0; i < nlev; i++)
		if (pyr[i] != NULL)
			zbar_image_destroy(pyr[i]);
	if (img != NULL)
		zbar_image_destroy(img);
	buf_free(&file);
	return r;
}
