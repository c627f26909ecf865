"""Following the winning projects after the count: status, progress, dated updates with photos, followers."""
