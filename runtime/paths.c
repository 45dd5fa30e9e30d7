/* paths.c: mtad's image, queue, pid file and control socket paths (see
 * paths.h). */
#include "runtime/paths.h"
#include "stdlib/image/image.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>

const char *mtad_image_path(const char *opt_image)
{
    if (opt_image && *opt_image)
        return opt_image;
    const char *env = getenv("MTAD_IMAGE");
    return env && *env ? env : MTAD_DEFAULT_IMAGE;
}

char *mtad_queue_dir(const char *opt_queue, const char *image, strbuf *err)
{
    if (opt_queue && *opt_queue)
        return xstrdup(opt_queue);
    img im;
    if (img_open(&im, image, err) < 0)
        return NULL;
    const img_param *p = img_param_find(&im, "queue_directory");
    char *dir = p && *img_str(&im, p->text) ? xstrdup(img_str(&im, p->text)) : NULL;
    if (!dir)
        sb_addf(err, "%s: the image sets no queue_directory (give -q DIR)", image);
    img_close(&im);
    return dir;
}

static char *join(const char *dir, const char *name)
{
    strbuf b;
    sb_init(&b);
    sb_addf(&b, "%s/%s", dir, name);
    return sb_take(&b);
}

char *mtad_pid_dir(const char *queue_dir)  { return join(queue_dir, "pid"); }
char *mtad_pid_path(const char *queue_dir) { return join(queue_dir, "pid/master.pid"); }
char *mtad_ctl_path(const char *queue_dir) { return join(queue_dir, "pid/mtad.ctl"); }
