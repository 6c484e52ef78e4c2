{
  "targets": [
    {
      "target_name": "paas_router_plane",
      "sources": ["src/addon.c", "src/plane.c", "src/http.c", "src/table.c"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
