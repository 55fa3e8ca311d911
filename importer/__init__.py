"""ocean-mission-importer: spreadsheets of planned interventions -> Ocean GéoMission missions."""

__version__ = "0.1.0"
