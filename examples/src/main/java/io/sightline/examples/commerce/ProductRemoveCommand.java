package io.sightline.examples.commerce;

import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline product remove --db DIR ID...}: removes products from a catalog (database row,
 * vector index and instance index; each changed index file is written once). Prints
 * {@code {"db","removed":[id...],"notFound":[id...],"catalogSize"}}; exit code 0 even when some
 * ids were not stored (they are listed), 1 when the folder is not a catalog.
 */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove products from a catalog by id.")
public final class ProductRemoveCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "catalog folder from 'product index'")
  Path db;

  @Parameters(arity = "1..*", paramLabel = "ID", description = "product ids")
  List<String> ids = new ArrayList<>();

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    CliSupport.requireFolder(spec, db, "--db", "build one with 'sightline product index'");
    if (!ProductCatalog.exists(db)) {
      throw new CliSupport.Failure(db + " is not a product catalog (no catalog.mv.db); nothing removed",
          "build one with 'sightline product index'");
    }
    embedderOptions.asked();
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ProductCatalog cat = ProductCatalog.builder().directory(db).mustExist(true)
             .vectorIndex(ProductIndexCommand.vectorIndexes(db, false)).embedder(Intent.APPAREL, emb.embedder()).embedder(Intent.OTHER_COMMODITY, emb.embedder()).open()) {
      List<String> removed = cat.remove(ids);
      List<String> notFound = new ArrayList<>();
      for (String id : ids) {
        if (!removed.contains(id) && !notFound.contains(id)) {
          notFound.add(id);
        }
      }
      if (!notFound.isEmpty()) {
        CliSupport.error("product remove", "not in the catalog: " + String.join(", ", notFound), null);
      }
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("db", db.toString());
      line.put("removed", removed);
      line.put("notFound", notFound);
      line.put("catalogSize", cat.size());
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }
}
