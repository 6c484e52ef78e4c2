{
  "targets": [
    {
      "target_name": "paas_router_plane",
      "sources": ["src/addon.c", "src/plane.c", "src/pool.c", "src/exchange.c", "src/http.c", "src/bytes.c", "src/chunked.c", "src/table.c"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
