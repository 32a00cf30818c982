package io.holdfast.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * A small horizontal bar chart written as SVG: sections of groups of bars, each section its own
 * scale.
 */
final class Chart {
  record Bar(String label, double value, double error, String text, String color) {}

  record Group(String title, List<Bar> bars) {}

  /** A section; {@code reference} (if positive) is drawn as a dashed line, e.g. 1.0 for ratios. */
  record Section(String title, double reference, List<Group> groups) {}

  private static final int WIDTH = 760;
  private static final int LABEL = 150;
  private static final int TEXT = 190;
  private static final int ROW = 20;

  private Chart() {}

  static String color(String impl) {
    return switch (impl) {
      case "holdfast" -> "#2b6cb0";
      case "redisson" -> "#c53030";
      case "curator" -> "#dd6b20";
      default -> "#8a8a8a";
    };
  }

  static String svg(String title, String note, List<Section> sections) {
    int rows = 0;
    for (Section s : sections) {
      rows += 2;
      for (Group g : s.groups()) {
        rows += 1 + g.bars().size();
      }
    }
    int height = 50 + rows * ROW + 30;
    StringBuilder b = new StringBuilder();
    b.append(
        fmt(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
            WIDTH, height, WIDTH, height));
    b.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, height));
    b.append(
        fmt(
            "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">%s</text>\n",
            esc(title)));
    b.append(fmt("<text x=\"10\" y=\"40\" fill=\"#555555\">%s</text>\n", esc(note)));
    int y = 50;
    int plot = WIDTH - LABEL - TEXT;
    for (Section s : sections) {
      y += ROW;
      b.append(
          fmt(
              "<text x=\"10\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
              y, esc(s.title())));
      y += ROW / 2;
      double max = 0;
      for (Group g : s.groups()) {
        for (Bar bar : g.bars()) {
          if (Double.isFinite(bar.value())) {
            max = Math.max(max, bar.value() + Results.finite(bar.error()));
          }
        }
      }
      if (max <= 0) {
        max = 1;
      }
      max = Math.max(max, s.reference());
      int top = y + ROW / 2;
      for (Group g : s.groups()) {
        y += ROW;
        b.append(
            fmt(
                "<text x=\"20\" y=\"%d\" fill=\"#333333\" font-style=\"italic\">%s</text>\n",
                y - 5, esc(g.title())));
        for (Bar bar : g.bars()) {
          double v = Double.isFinite(bar.value()) ? bar.value() : 0;
          int w = (int) Math.round(plot * v / max);
          b.append(
              fmt(
                  "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                  LABEL - 8, y + 14, esc(bar.label())));
          b.append(
              fmt(
                  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
                  LABEL, y + 3, Math.max(1, w), ROW - 6, bar.color()));
          double e = Results.finite(bar.error());
          if (e > 0) {
            int x1 = (int) Math.round(plot * Math.max(0, v - e) / max) + LABEL;
            int x2 = (int) Math.round(plot * (v + e) / max) + LABEL;
            int cy = y + ROW / 2;
            b.append(
                fmt(
                    "<path d=\"M%d %dH%dM%d %dV%dM%d %dV%d\" stroke=\"#000000\" stroke-width=\"1\"/>\n",
                    x1, cy, x2, x1, cy - 4, cy + 4, x2, cy - 4, cy + 4));
          }
          b.append(
              fmt(
                  "<text x=\"%d\" y=\"%d\" fill=\"#333333\">%s</text>\n",
                  LABEL + w + 8 + (e > 0 ? (int) Math.round(plot * e / max) : 0),
                  y + 14,
                  esc(bar.text())));
          y += ROW;
        }
      }
      if (s.reference() > 0) {
        int x = LABEL + (int) Math.round(plot * s.reference() / max);
        b.append(
            fmt(
                "<path d=\"M%d %dV%d\" stroke=\"#555555\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
                x, top, y));
      }
      y += ROW / 2;
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String fmt(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
