/* allocbench: the heap-map stepping page. */
#include "heapmap_html.h"

static const char ab_heapmap_html_style[] =
    "<style>\n"
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:16px;color:#222}\n"
    "section{margin:18px 0 30px}\n"
    ".controls{margin:6px 0}\n"
    ".controls button{margin-right:4px}\n"
    ".controls input{width:420px;vertical-align:middle}\n"
    ".where{margin-left:10px;font-family:'DejaVu Sans Mono',monospace}\n"
    "object{display:block;max-width:100%;border:1px solid #ddd}\n"
    "</style>\n";

/* Wires every section: the pictures are heapmap/<name>/NNNN.svg. The
 * arrow keys step the section last used; space plays or pauses it. */
static const char ab_heapmap_html_script[] =
    "<script>\n"
    "(function () {\n"
    "  function pad(i) { return ('000' + i).slice(-4); }\n"
    "  var current = null;\n"
    "  function wire(sec, map) {\n"
    "    var pic = sec.querySelector('object'), link = sec.querySelector('a.picture');\n"
    "    var slider = sec.querySelector('input'), where = sec.querySelector('.where');\n"
    "    var play = sec.querySelector('.play'), timer = null, at = -1;\n"
    "    function show(i) {\n"
    "      i = Math.max(0, Math.min(map.times.length - 1, i));\n"
    "      if (i === at) return;\n"
    "      at = i;\n"
    "      var src = 'heapmap/' + map.name + '/' + pad(i) + '.svg';\n"
    "      /* a new <object>: some browsers do not reload one whose data changes */\n"
    "      var next = pic.cloneNode(false);\n"
    "      next.setAttribute('data', src);\n"
    "      pic.parentNode.replaceChild(next, pic);\n"
    "      pic = next;\n"
    "      link.setAttribute('href', src);\n"
    "      slider.value = i;\n"
    "      where.textContent = 'snapshot ' + (i + 1) + ' of ' + map.times.length + ', t = ' +\n"
    "        map.times[i] + ' ms' + (i === map.peak ? ' (peak)' : '');\n"
    "    }\n"
    "    function stop() { clearInterval(timer); timer = null; play.textContent = 'play'; }\n"
    "    function toggle() {\n"
    "      if (timer) return stop();\n"
    "      if (at === map.times.length - 1) show(0);\n"
    "      play.textContent = 'pause';\n"
    "      timer = setInterval(function () {\n"
    "        if (at === map.times.length - 1) stop(); else show(at + 1);\n"
    "      }, 400);\n"
    "    }\n"
    "    var step = {first: function () { show(0); }, prev: function () { show(at - 1); },\n"
    "      next: function () { show(at + 1); },\n"
    "      last: function () { show(map.times.length - 1); },\n"
    "      peak: function () { show(map.peak); }};\n"
    "    Object.keys(step).forEach(function (k) {\n"
    "      sec.querySelector('.' + k).onclick = function () {\n"
    "        stop(); current = api; step[k]();\n"
    "      };\n"
    "    });\n"
    "    play.onclick = function () { current = api; toggle(); };\n"
    "    slider.oninput = function () { stop(); current = api; show(+slider.value); };\n"
    "    var api = {prev: step.prev, next: step.next, toggle: toggle};\n"
    "    show(map.times.length - 1);\n"
    "    return api;\n"
    "  }\n"
    "  var apis = heapmaps.map(function (m, i) {\n"
    "    return wire(document.getElementById('map' + i), m);\n"
    "  });\n"
    "  current = apis[0];\n"
    "  document.addEventListener('keydown', function (e) {\n"
    "    if (!current || e.target.tagName === 'INPUT') return;\n"
    "    if (e.key === 'ArrowLeft') current.prev();\n"
    "    else if (e.key === 'ArrowRight') current.next();\n"
    "    else if (e.key === ' ') { current.toggle(); e.preventDefault(); }\n"
    "  });\n"
    "})();\n"
    "</script>\n";

static void ab_heapmap_html_section(const ab_heapmap_t *m, size_t index, ab_buf_t *out) {
  ab_buf_printf(out, "<section id=\"map%zu\">\n<h2>", index);
  ab_heapmap_escape(out, m->title ? m->title : m->name);
  ab_buf_printf(out, "</h2>\n<p>%zu snapshots, %zu segments, %zu threads.</p>\n", m->n_snaps,
                m->n_addresses, m->n_threads);
  ab_buf_printf(out,
                "<div class=\"controls\"><button class=\"first\">|&lt;</button>"
                "<button class=\"prev\">&lt; prev</button><button class=\"play\">play</button>"
                "<button class=\"next\">next &gt;</button><button class=\"last\">&gt;|</button>"
                "<button class=\"peak\">peak</button> <input type=\"range\" min=\"0\" "
                "max=\"%zu\" value=\"0\"><span class=\"where\"></span> "
                "<a class=\"picture\" href=\"#\">open the picture</a></div>\n"
                "<object type=\"image/svg+xml\"></object>\n</section>\n",
                m->n_snaps - 1);
}

/* The maps as data for the script: names are file-name safe (see header). */
static void ab_heapmap_html_data(const ab_heapmap_t *maps, size_t n, ab_buf_t *out) {
  ab_buf_puts(out, "<script>\nvar heapmaps = [\n");
  for (size_t i = 0; i < n; i++) {
    ab_buf_printf(out, "  {name: \"%s\", peak: %zu, times: [", maps[i].name,
                  ab_heapmap_peak(&maps[i]));
    for (size_t s = 0; s < maps[i].n_snaps; s++)
      ab_buf_printf(out, "%s%.0f", s ? ", " : "", maps[i].snaps[s].time_ms);
    ab_buf_puts(out, "]},\n");
  }
  ab_buf_puts(out, "];\n</script>\n");
}

void ab_heapmap_html(const ab_heapmap_t *maps, size_t n, const char *title, ab_buf_t *out) {
  ab_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>");
  ab_heapmap_escape(out, title);
  ab_buf_printf(out, "</title>\n%s</head>\n<body>\n<h1>", ab_heapmap_html_style);
  ab_heapmap_escape(out, title);
  ab_buf_puts(out, "</h1>\n<p>Each picture is one snapshot of segalloc's heap: a row per "
                   "segment, its 64 KiB slices left to right, coloured by what they hold (the "
                   "legend is under each picture). Hover a span for its figures. Buttons, the "
                   "slider, or the arrow keys step through the snapshots; space plays them. The "
                   "per-size-class tables are in <a href=\"heapmap.md\">heapmap.md</a>.</p>\n");
  for (size_t i = 0; i < n; i++) ab_heapmap_html_section(&maps[i], i, out);
  ab_heapmap_html_data(maps, n, out);
  ab_buf_puts(out, ab_heapmap_html_script);
  ab_buf_puts(out, "</body>\n</html>\n");
}
