package io.sightline.examples.posters;

import io.sightline.core.image.ImageLoader;
import io.sightline.examples.demo.DemoStep;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.ComposeResult;
import io.sightline.posters.Poster;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import io.sightline.posters.PosterWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Demo step "posters": one 9:16 and one 16:9 poster for each bundled photo, with a logo (a
 * bundled clip-art PNG, alpha kept), a search bar and a floating title placed away from faces and
 * the subject. Writes PNGs and their JSON reports.
 */
public final class PostersDemo implements DemoStep {
  @Override
  public String name() {
    return "posters";
  }

  @Override
  public Map<String, Object> run(Path data, Path out) throws Exception {
    Path logo = data.resolve("clipart/electronics/macchina_fotografica_di_01.png");
    if (!Files.isRegularFile(logo)) {
      try (Stream<Path> s = Files.walk(data.resolve("clipart"))) {
        logo = s.filter(p -> p.toString().endsWith(".png")).sorted().findFirst()
            .orElseThrow(() -> new IllegalStateException("no clip-art PNG under " + data.resolve("clipart")));
      }
    }
    String json = """
        {"name": "promo", "width": 540, "height": 960,
         "fixed": [{"name": "logo", "image": "%s", "box": [0.04, 0.03, 0.16, 0.09]},
                   {"name": "search", "text": "Search Sightline", "box": [0.10, 0.91, 0.80, 0.05],
                    "font": "SansSerif", "color": "#FFFFFF", "background": "#00000099"}],
         "floating": [{"name": "title", "text": "Tonight: a public-domain premiere", "region": [0.0, 0.12, 1.0, 0.76],
                       "size": [0.60, 0.10], "font": "Serif", "style": "bold", "color": "#FFFFFF",
                       "background": "#00000055"}]}
        """.formatted(logo.toAbsolutePath().toString().replace("\\", "\\\\"));
    Path templateFile = out.resolve("promo-template.json");
    Files.writeString(templateFile, json);
    PosterTemplate base = PosterTemplate.load(templateFile, data);
    List<Path> photos;
    try (Stream<Path> s = Files.list(data.resolve("photos"))) {
      photos = s.filter(p -> p.toString().matches(".*\\.(png|jpg|jpeg)$")).sorted().toList();
    }
    List<Map<String, Object>> posters = new ArrayList<>();
    int dropped = 0;
    try (PosterComposer composer = PosterComposer.builder()
        .template(base.withAspect(AspectRatio.PORTRAIT_9_16))
        .template(base.withAspect(AspectRatio.LANDSCAPE_16_9))
        .build()) {
      for (Path photo : photos) {
        ComposeResult r = composer.compose(ImageLoader.defaults().load(photo), photo.getFileName().toString(),
            "https://example.com/watch/" + photo.getFileName());
        dropped += r.dropped().size();
        for (Poster p : r.kept()) {
          PosterWriter.Written w = PosterWriter.write(p, out, PosterWriter.Format.PNG);
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("image", p.sourceId());
          m.put("template", p.template());
          m.put("rule", p.crop().rule().name());
          m.put("faces", p.crop().targets().size());
          m.put("score", Math.round(p.score().total() * 1000) / 1000.0);
          m.put("output", out.relativize(w.image()).toString());
          posters.add(m);
        }
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("photos", photos.size());
    summary.put("posters", posters.size());
    summary.put("dropped", dropped);
    summary.put("items", posters);
    return summary;
  }
}
