# An erasure takes the patient's waiting forms back out of the outbox (session 50).
T = {
    "Forms still waiting in the outbox {}: {} taken out, {} written again without what was erased.": {
        "fr": "Formulaires encore en attente dans le dossier de sortie {} : {} retirés, {} réécrits sans ce qui a été effacé.",
        "es": "Formularios aún en espera en la carpeta de salida {}: {} retirados, {} escritos de nuevo sin lo borrado.",
        "de": "Formulare, die noch im Ausgangsordner {} warten: {} herausgenommen, {} ohne das Gelöschte neu geschrieben.",
        "pl": "Formularze wciąż czekające w folderze wyjściowym {}: {} usunięte, {} zapisane ponownie bez usuniętych danych.",
        "ro": "Formulare încă în așteptare în dosarul de ieșire {}: {} scoase, {} rescrise fără ce a fost șters.",
        "pt": "Formulários ainda à espera na pasta de saída {}: {} retirados, {} reescritos sem o que foi apagado.",
        "ar": "نماذج لا تزال تنتظر في مجلد الصادر {}: أُخرج {}، وأُعيدت كتابة {} دون ما تم محوه.",
    },
    "The forms still waiting in the outbox {} were not all taken out ({}): remove this patient's files there by hand.": {
        "fr": "Les formulaires encore en attente dans le dossier de sortie {} n'ont pas tous été retirés ({}) : supprimez-y à la main les fichiers de ce patient.",
        "es": "No se retiraron todos los formularios aún en espera en la carpeta de salida {} ({}): elimine allí a mano los archivos de este paciente.",
        "de": "Nicht alle Formulare, die noch im Ausgangsordner {} warten, wurden herausgenommen ({}): Entfernen Sie die Dateien dieses Patienten dort von Hand.",
        "pl": "Nie wszystkie formularze czekające w folderze wyjściowym {} zostały usunięte ({}): usuń tam ręcznie pliki tego pacjenta.",
        "ro": "Nu toate formularele aflate încă în așteptare în dosarul de ieșire {} au fost scoase ({}): ștergeți manual acolo fișierele acestui pacient.",
        "pt": "Nem todos os formulários ainda à espera na pasta de saída {} foram retirados ({}): remova aí à mão os ficheiros deste paciente.",
        "ar": "لم تُخرج كل النماذج التي لا تزال تنتظر في مجلد الصادر {} ({}): احذف ملفات هذا المريض من هناك يدويًا.",
    },
}
