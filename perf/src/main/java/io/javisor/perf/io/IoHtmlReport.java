package io.javisor.perf.io;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTML report of a {@code bench io} run: one self-contained page (no external resource) with the
 * text table and, per metric (QD1 read latency, QD1 write latency, 64 B network round trip), one
 * percentile-distribution chart of every measured variant as inline SVG: x the percentile on
 * HdrHistogram's scale (log of 1 / (1 - p)), y the latency on a log scale. Each chart lists its
 * variants in {@code data-variants}, each series and legend entry carries its variant in
 * {@code data-variant}; a small script checks that every chart has each of its variants and marks the
 * page {@code data-check="ok"} (or logs an error). Stateless.
 */
final class IoHtmlReport
{
    private static final int WIDTH = 920;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 250;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;
    /** The x axis runs to 99.9999% (6 nines). */
    private static final double MAX_NINES = 6;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

    private IoHtmlReport()
    {
    }

    static String render(final IoResult result)
    {
        final List<VariantTotals> measured = new ArrayList<>();
        for (final VariantTotals t : result.totals())
        {
            if (t.measured())
            {
                measured.add(t);
            }
        }
        final StringWriter table = new StringWriter();
        result.printTable(new PrintWriter(table));
        final List<Series> reads = new ArrayList<>();
        final List<Series> writes = new ArrayList<>();
        for (final VariantTotals t : measured)
        {
            reads.add(new Series(t.variant.key(), t.read));
            writes.add(new Series(t.variant.key(), t.write));
        }
        final List<Series> roundTrips = new ArrayList<>();
        for (final NetTotals t : result.net().totals())
        {
            if (t.measured())
            {
                roundTrips.add(new Series(t.variant.key(), t.rtt));
            }
        }
        final StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .append("<title>javisor bench io</title>\n<style>\n")
            .append("body{font-family:sans-serif;margin:2em;color:#222}pre{font-size:12px;background:#f6f6f6;padding:1em;overflow-x:auto}")
            .append("svg{background:#fff;border:1px solid #ccc;margin:1em 0}.axis{stroke:#444}.grid{stroke:#ddd}")
            .append("text{font-size:12px;font-family:sans-serif}.series{fill:none;stroke-width:2}\n</style>\n</head>\n")
            .append("<body>\n")
            .append("<h1>javisor bench io</h1>\n<p>4 KiB random IO at queue depth 1: the latency distribution of every path ")
            .append("from a guest to a disk, from one run. Percentiles on HdrHistogram's scale; latency on a log scale.</p>\n");
        chart(html, "QD1 4 KiB read latency", "read", reads);
        chart(html, "QD1 4 KiB write latency", "write", writes);
        if (!roundTrips.isEmpty())
        {
            chart(html, "64 B network round trip", "net-rtt", roundTrips);
        }
        html.append("<h2>Table</h2>\n<pre>").append(escape(table.toString())).append("</pre>\n");
        final List<String> absent = new ArrayList<>();
        for (final VariantTotals t : result.totals())
        {
            if (!t.measured())
            {
                absent.add(t.variant.label() + ": " + (t.unavailable != null ? t.unavailable : t.stopped));
            }
        }
        if (!absent.isEmpty())
        {
            html.append("<h2>Not in the charts</h2>\n<ul>\n");
            for (final String line : absent)
            {
                html.append("<li>").append(escape(line)).append("</li>\n");
            }
            html.append("</ul>\n");
        }
        html.append("<script>\n")
            .append("(function(){var charts=document.querySelectorAll('svg.chart');var ok=charts.length>0;")
            .append("charts.forEach(function(c){var want=c.dataset.variants?c.dataset.variants.split(','):[];")
            .append("want.forEach(function(v){")
            .append("if(!c.querySelector('polyline.series[data-variant=\"'+v+'\"]')){ok=false;")
            .append("console.error('chart '+c.id+' lacks '+v);}});});")
            .append("document.body.dataset.check=ok?'ok':'incomplete';})();\n</script>\n</body>\n</html>\n");
        return html.toString();
    }

    /** One variant's distribution on a chart. */
    private record Series(String key, Histogram histogram)
    {
    }

    private static void chart(final StringBuilder html, final String title, final String id, final List<Series> variants)
    {
        double minUs = Double.MAX_VALUE;
        double maxUs = 0;
        final List<List<double[]>> series = new ArrayList<>();
        final StringBuilder keys = new StringBuilder();
        for (final Series v : variants)
        {
            keys.append(keys.isEmpty() ? "" : ",").append(v.key());
            final List<double[]> points = points(v.histogram());
            series.add(points);
            for (final double[] p : points)
            {
                minUs = Math.min(minUs, p[1]);
                maxUs = Math.max(maxUs, p[1]);
            }
        }
        if (maxUs == 0)
        {
            minUs = 0.1;
            maxUs = 10;
        }
        final double lo = Math.floor(Math.log10(Math.max(minUs, 1e-3)));
        final double hi = Math.max(lo + 1, Math.ceil(Math.log10(maxUs)));
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        html.append("<h2>").append(escape(title)).append("</h2>\n")
            .append(String.format(Locale.ROOT, "<svg class=\"chart\" id=\"chart-%s\" data-variants=\"%s\" width=\"%d\" height=\"%d\" " +
                "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"%s\">\n", id,
                escape(keys.toString()), WIDTH, HEIGHT, WIDTH, HEIGHT, escape(title)));
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final double x = LEFT + plotW * nines / MAX_NINES;
            html.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, TOP, x, TOP + plotH))
                .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP + plotH + 18,
                    percentileLabel(nines)));
        }
        for (int e = (int)lo; e <= (int)hi; e++)
        {
            final double y = TOP + plotH - plotH * (e - lo) / (hi - lo);
            html.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LEFT, y, LEFT + plotW, y))
                .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, y + 4,
                    usLabel(e)));
        }
        html.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", LEFT, TOP + plotH, LEFT + plotW, TOP + plotH))
            .append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", LEFT, TOP, LEFT, TOP + plotH))
            .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n", LEFT + plotW / 2, HEIGHT - 8))
            .append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">latency (us)</text>\n",
                TOP + plotH / 2, TOP + plotH / 2));
        for (int i = 0; i < variants.size(); i++)
        {
            final String key = variants.get(i).key();
            final String colour = COLOURS[i % COLOURS.length];
            final StringBuilder pts = new StringBuilder();
            for (final double[] p : series.get(i))
            {
                final double x = LEFT + plotW * Math.min(p[0], MAX_NINES) / MAX_NINES;
                final double y = TOP + plotH - plotH * (Math.log10(Math.max(p[1], 1e-3)) - lo) / (hi - lo);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            html.append(String.format(Locale.ROOT, "<polyline class=\"series\" data-variant=\"%s\" stroke=\"%s\" points=\"%s\"/>\n",
                escape(key), colour, pts.toString().trim()));
            final int ly = TOP + 14 + 18 * i;
            html.append(String.format(Locale.ROOT, "<g class=\"legend\" data-variant=\"%s\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" " +
                    "stroke=\"%s\" stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text></g>\n", escape(key), LEFT + plotW + 12, ly - 4,
                LEFT + plotW + 32, ly - 4, colour, LEFT + plotW + 38, ly, escape(key)));
        }
        html.append("</svg>\n");
    }

    /** (nines, us) points of the percentile distribution, 5 per halving of the tail, ending at the max. */
    private static List<double[]> points(final Histogram histogram)
    {
        final List<double[]> points = new ArrayList<>();
        if (histogram.getTotalCount() == 0)
        {
            return points;
        }
        for (final HistogramIterationValue v : histogram.percentiles(5))
        {
            final double p = v.getPercentileLevelIteratedTo() / 100.0;
            final double nines = p >= 1.0 ? MAX_NINES : Math.min(MAX_NINES, Math.log10(1.0 / (1.0 - p)));
            points.add(new double[] {nines, histogram.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0});
            if (p >= 1.0)
            {
                break;
            }
        }
        return points;
    }

    private static String percentileLabel(final int nines)
    {
        return switch (nines)
        {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(nines - 2) + "%";
        };
    }

    private static String usLabel(final int exponent)
    {
        final double v = Math.pow(10, exponent);
        return exponent >= 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%." + (-exponent) + "f", v);
    }

    static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
