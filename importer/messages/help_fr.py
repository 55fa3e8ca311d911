"""French translations of the command line's --help.

The English help lives where click expects it (command docstrings and option help);
this table gives its French twin: ``"cmd.<command>"`` for a command's text,
``"<command>.<option>"`` or ``"opt.<option>"`` (shared by every command) for an option.
A test checks that every command and option has its entry.
"""

FR_HELP: dict[str, str] = {
    "cmd.cli": """Transforme des tableaux d'interventions planifiées en missions Ocean GéoMission.

\b
Essayez sur l'exemple fourni, avec un bac à sable intégré :
  mission-importer import --sandbox sample_data/weekly_planning.xlsx
Les identifiants viennent de OCEAN_LOGIN / OCEAN_PASSWORD (ou du fichier de configuration,
ou d'une saisie). Codes de sortie : 0 toutes les lignes traitées, 1 des lignes invalides ou
en échec, 2 fichier illisible ou erreur d'utilisation (rien envoyé), 3 API injoignable ou
identifiants refusés, 130 interrompu ou non confirmé (rien de plus n'est fait).
Les options globales (--lang, --config, -v, -q) se placent avant ou après la commande.""",
    "cmd.validate": """Vérifie un planning sans rien envoyer ; écrit le classeur de résultats.

\b
Exemple :
  mission-importer validate planning.xlsx""",
    "cmd.import": """Valide un planning, puis crée, modifie ou supprime chaque mission.

Les lignes déjà envoyées avec le même contenu sont ignorées (le journal s'en souvient) :
relancer le même fichier n'envoie rien deux fois.

\b
Exemples :
  mission-importer import --sandbox sample_data/weekly_planning.xlsx
  OCEAN_LOGIN=moi OCEAN_PASSWORD=... mission-importer import planning.xlsx
  mission-importer import --dry-run planning.xlsx""",
    "cmd.status": """Demande à Ocean le statut de chaque mission d'un fichier, des --id, ou des
missions du journal prévues certains jours (--from/--to, --week).

Chaque mission est found (trouvée), refused (refusée par son chauffeur) ou not_found
(introuvable). Code de sortie 0 seulement si toutes sont trouvées et aucune refusée, sinon 1.
Avec des jours, ce sont les missions que le journal a envoyées à cette API avec cet
identifiant (et ce --customer-id s'il est donné) dont l'intervention tombe ces jours-là
dans le --timezone.

\b
Exemples\u202f:
  mission-importer status planning.xlsx
  mission-importer status --id M-0001 --id M-0002 -o statuts.xlsx
  mission-importer status --from 07/12/2026 --to 11/12/2026
  mission-importer status --week -q --log-file statuts.jsonl""",
    "cmd.delete": """Supprime les missions d'un fichier (sa colonne idMission) ou données par --id.

Refuser la confirmation ne supprime rien et sort avec le code 130.

\b
Exemples :
  mission-importer delete annulations.xlsx
  mission-importer delete --id M-0001 --yes""",
    "cmd.template": """Écrit le classeur de planning vierge (libellés, aide sur chaque colonne, listes).

\b
Exemple :
  mission-importer --lang fr template planning.xlsx""",
    "cmd.sandbox": """Lance un simulateur local de l'API Ocean, pour répéter un import sans risque.

Le statut d'une mission envoyée avance comme un conducteur répondrait : envoyée, puis
acceptée ou (environ une sur cinq) refusée avec un motif, en cours, terminée. Modifier une
mission refusée l'envoie de nouveau à un conducteur.

\b
Exemple :
  mission-importer sandbox --latency-ms 50 --fault-rate 0.1
  mission-importer sandbox --step-seconds 1 --seed 7
  OCEAN_API_URL=http://127.0.0.1:8765 OCEAN_LOGIN=demo OCEAN_PASSWORD=demo \\
    mission-importer import planning.xlsx""",
    "cmd.watch": """Importe chaque tableau déposé dans INBOX ; les résultats vont dans INBOX/results.

INBOX vaut par défaut inbox de la section [watch] du fichier de configuration. Un fichier ne quitte INBOX que lorsque son sort est définitif : INBOX/done quand toutes
les lignes sont passées, INBOX/to_fix (classeur de résultats à côté) quand des lignes
demandent une intervention, INBOX/failed (avec la raison) s'il est illisible. Un fichier
dont des lignes ne sont pas encore envoyées reste dans INBOX et sera repris. Déposez les
fichiers sous un nom en .part ou caché, puis renommez-les. SIGTERM ou Ctrl-C arrête le
service après le fichier en cours. Code de sortie avec --once : 0 tout va bien, 1 lignes
invalides, en échec ou en attente, 2 un fichier illisible, 3 API injoignable.

\b
Exemples :
  mission-importer watch /srv/planning/depot
  mission-importer watch --once /srv/planning/depot     # depuis cron""",
    "cmd.check": """Affiche chaque réglage en vigueur et son origine, se connecte et fait un appel de lecture sans effet.

\b
Exemples\u202f:
  OCEAN_LOGIN=moi mission-importer check
  mission-importer check --json""",
    "cmd.serve": """Sert la page d'import : le personnel se connecte avec son identifiant Ocean, dépose un planning,
le corrige dans la grille, voit l'aperçu, l'envoie et télécharge les résultats.

\b
Exemples :
  mission-importer serve --sandbox          # pour essayer : connectez-vous avec demo / demo
  mission-importer serve --port 8080 --proxy 127.0.0.1   # derrière un mandataire TLS ici""",
    "serve.sandbox": "Lance aussi un bac à sable intégré et y envoie (connexion avec demo / demo).",
    "opt.data_dir": "Téléversements, résultats et historique [défaut : dans votre dossier d'état].",
    "opt.serve_upload_limit_mb": "Taille du plus gros fichier accepté, en Mo.",
    "opt.serve_proxy": "Adresse (ou réseau) d'un mandataire inverse de confiance, dont on croit "
    "X-Forwarded-For et X-Forwarded-Proto\u202f; répétez pour plusieurs. Aucun\u202f: ils sont ignorés.",
    "opt.idle_minutes": "Déconnecte après ce délai sans requête.",
    "opt.keep_days": "Jours de conservation des envois passés et de leurs classeurs.",
    "opt.help": "Affiche ce message et quitte.",
    "opt.version": "Affiche la version et quitte.",
    "opt.lang": "Langue des messages et des classeurs [défaut : fichier de configuration ou langue du système].",
    "opt.verbose": "Journalise davantage sur stderr\u202f: -v une ligne par appel à l'API, -vv chaque requête HTTP (jamais un secret).",
    "opt.config": "Fichier de réglages TOML [défaut : ./mission-importer.toml, puis votre dossier de configuration].",
    "opt.sheet": "Feuille à lire.",
    "opt.timezone": "Fuseau horaire des heures saisies dans la feuille.",
    "opt.output": "Classeur de résultats [défaut : <entrée>.results.xlsx à côté du fichier].",
    "opt.api_url": "Adresse de base d'Ocean (variable OCEAN_API_URL).",
    "opt.customer_id": "customerId, pour les comptes qui gèrent plusieurs clients (variable OCEAN_CUSTOMER_ID).",
    "opt.workers": "Requêtes en parallèle.",
    "opt.rate": "Au plus ce nombre de requêtes par seconde, tous workers confondus.",
    "opt.journal": "Fichier journal.",
    "opt.ca_bundle": "Certificats d'autorité à accepter, par exemple ceux d'un proxy d'entreprise (TLS toujours vérifié).",
    "opt.quiet": "N'affiche rien en cas de succès\u202f; en cas d'échec, une phrase sur stderr.",
    "opt.as_json": "Affiche un résumé JSON sur la sortie standard.",
    "opt.ids": "Un identifiant de mission (à répéter pour plusieurs).",
    "opt.mode": "Action des lignes sans colonne action (upsert : créer ou modifier selon le cas).",
    "opt.dry_run": "Vérifie tout auprès de l'API sans rien modifier.",
    "opt.force": "Renvoie aussi les lignes que le journal dit inchangées.",
    "opt.all_or_nothing": "N'envoie rien si une ligne est invalide.",
    "opt.sandbox": "Importe dans un bac à sable local intégré (démonstration et répétition : rien ne quitte cette machine).",
    "opt.log_file": "Ajoute le journal d'audit à ce fichier\u202f: lignes JSON (une par ligne du fichier, un résumé).",
    "status.output": "Classeur de résultats [défaut\u202f: <entrée>.status.xlsx, status-<heure>.xlsx avec --id, status-<période>-<heure>.xlsx avec des jours].",
    "opt.day_from": "Les missions du journal prévues à partir de ce jour (jj/mm/aaaa ou aaaa-mm-jj, dans le --timezone)\u202f; seul\u202f: ce jour et les suivants.",
    "opt.day_to": "Le dernier jour, inclus (avec --from\u202f; jj/mm/aaaa ou aaaa-mm-jj).",
    "opt.week": "Les missions du journal prévues une semaine ISO, du lundi au dimanche (par exemple 2026-W50)\u202f; seul\u202f: cette semaine.",
    "delete.output": "Classeur de résultats [défaut\u202f: <entrée>.delete.xlsx, ou delete-<heure>.xlsx avec --id].",
    "check.as_json": "Affiche les réglages et le résultat en JSON.",
    "validate.only_failed": "N'écrit que les lignes invalides.",
    "import.only_failed": "N'écrit dans le classeur que les lignes invalides, en échec ou non envoyées.",
    "opt.yes": "Ne demande pas de confirmation (obligatoire hors d'un terminal).",
    "opt.host": "Adresse d'écoute (boucle locale uniquement, sauf --allow-remote).",
    "opt.allow_remote": "Autorise un --host hors boucle locale.",
    "opt.port": "0 choisit un port libre.",
    "opt.latency_ms": "Délai ajouté à chaque appel de mission.",
    "opt.fault_rate": "Part des appels de mission qui reçoivent une panne simulée.",
    "opt.seed": "Graine des pannes simulées et des réponses des conducteurs (refus, délais), pour des essais reproductibles.",
    "opt.step_seconds": "Durée approximative de chaque statut d'une mission envoyée (envoyée, acceptée, en cours, terminée) ; 0 : tout de suite.",
    "opt.refusal_rate": "Part des envois que le conducteur refuse, avec un motif.",
    "opt.max_refusals": "Nombre de refus possibles par mission ; au-delà, une mission envoyée de nouveau est acceptée.",
    "opt.state": "Fichier SQLite qui garde les missions d'un redémarrage à l'autre.",
    "opt.outbox": "Dossier des classeurs de résultats.",
    "opt.watch_interval": "Secondes entre deux regards dans le dossier.",
    "opt.watch_settle_seconds": "Secondes pendant lesquelles un fichier doit rester inchangé avant d'être pris.",
    "opt.once": "Traite ce qui est dans le dossier puis s'arrête (pour cron).",
    "heading.usage": "Utilisation :",
    "heading.options": "Options",
    "heading.commands": "Commandes",
}
