package io.sightline.examples.commerce;

import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.SyncReport;
import io.sightline.core.CancellationToken;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline product sync --catalog catalog.csv --db DIR [--matcher ...] [--allowed-root DIR]}:
 * makes the catalog hold exactly the products of the file: new rows are indexed, changed ones
 * (image path or content, category, title, link, attributes) re-indexed, unchanged ones left
 * alone, and products the file no longer names removed; a product whose row is invalid is
 * reported and kept. Creates the catalog when the folder has none. Prints
 * {@code {"db","added":[id...],"updated":[id...],"unchanged","removed":[id...],
 * "problems":[{"line","id","message"}],"catalogSize","matcher","cropMainObject"}}.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Sync a catalog to a file: add new, update changed, remove missing products.")
public final class ProductSyncCommand implements Callable<Integer> {
  @Option(names = "--catalog", required = true, paramLabel = "catalog.csv",
      description = "the catalog file (id,image,category,title,link[,attribute columns...])")
  Path catalog;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "catalog folder (created when absent)")
  Path db;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths may point into (default: the catalog file's folder)")
  Path allowedRoot;

  @Option(names = "--matcher", paramLabel = "global|local|hybrid",
      description = "matcher of a new catalog (default: hybrid); an existing catalog keeps its own")
  String matcher;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--crop-main-object",
      description = "new catalog: embed each product image as its main object, as 'product search' then crops "
          + "other-commodity queries (query and catalog processed alike); stored with the catalog")
  boolean cropMainObject;

  @Option(names = "--vector-index", description = ProductIndexCommand.VECTOR_INDEX_HELP)
  boolean vectorIndex;

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    embedderOptions.asked();
    CliSupport.requireFile(spec, catalog, "--catalog");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    ProductCatalog.Builder b = ProductIndexCommand.catalogBuilder(spec, db, cropMainObject, matcher, vectorIndex);
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ProductCatalog cat = b.embedder(Intent.APPAREL, emb.embedder()).embedder(Intent.OTHER_COMMODITY, emb.embedder())
             .open()) {
      emb.record(db);
      SyncReport r = cat.sync(catalog, allowedRoot, CliSupport.progressBar(), CancellationToken.NONE);
      List<Map<String, Object>> problems = ProductIndexCommand.reportProblems(catalog, r.problems());
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("db", db.toString());
      line.put("added", r.added());
      line.put("updated", r.updated());
      line.put("unchanged", r.unchanged());
      line.put("removed", r.removed());
      line.put("problems", problems);
      line.put("catalogSize", r.catalogSize());
      line.put("matcher", cat.matcher().id());
      line.put("cropMainObject", cat.cropsToMainObject());
      line.put("vectorIndex", ProductIndexCommand.vectorIndexFolder(db));
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }
}
