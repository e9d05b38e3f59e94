# The outbox takes a bundle's forms before the bundle is stored; it must not be on the exchange medium (session 50).
T = {
    "its forms could not be written to the outbox ({}), so the kiosk keeps them. Import again once the outbox can take them.": {
        "fr": "ses formulaires n'ont pas pu être écrits dans le dossier de sortie ({}) : la borne les garde. Importez à nouveau quand le dossier de sortie pourra les recevoir.",
        "es": "sus formularios no se pudieron escribir en la carpeta de salida ({}), así que el quiosco los conserva. Importe de nuevo cuando la carpeta de salida pueda recibirlos.",
        "de": "seine Formulare konnten nicht in den Ausgangsordner geschrieben werden ({}), daher behält der Kiosk sie. Importieren Sie erneut, sobald der Ausgangsordner sie aufnehmen kann.",
        "pl": "jego formularzy nie udało się zapisać w folderze wyjściowym ({}), więc kiosk je zachowuje. Zaimportuj ponownie, gdy folder wyjściowy będzie mógł je przyjąć.",
        "ro": "formularele sale nu au putut fi scrise în dosarul de ieșire ({}), deci chioșcul le păstrează. Importați din nou când dosarul de ieșire le poate primi.",
        "pt": "os seus formulários não puderam ser escritos na pasta de saída ({}), por isso o quiosque guarda-os. Importe de novo quando a pasta de saída os puder receber.",
        "ar": "تعذّرت كتابة نماذجه في مجلد الصادر ({})، لذا يحتفظ بها الكشك. استورد مرة أخرى عندما يستطيع مجلد الصادر استقبالها.",
    },
    "the outbox {} is the exchange folder or lies inside or around it: set the outbox elsewhere (its forms are plain patient data and must not travel with the bundles).": {
        "fr": "le dossier de sortie {} est le dossier d'échange, ou se trouve dedans ou autour : placez-le ailleurs (ses formulaires sont des données de patients en clair et ne doivent pas voyager avec les lots).",
        "es": "la carpeta de salida {} es la carpeta de intercambio o está dentro o alrededor de ella: póngala en otro lugar (sus formularios son datos de pacientes sin cifrar y no deben viajar con los paquetes).",
        "de": "der Ausgangsordner {} ist der Austauschordner oder liegt in ihm oder um ihn herum: Legen Sie ihn woanders an (seine Formulare sind unverschlüsselte Patientendaten und dürfen nicht mit den Paketen reisen).",
        "pl": "folder wyjściowy {} jest folderem wymiany albo leży w nim lub go zawiera: ustaw go gdzie indziej (jego formularze to niezaszyfrowane dane pacjentów i nie mogą podróżować z paczkami).",
        "ro": "dosarul de ieșire {} este dosarul de schimb sau se află în el ori în jurul lui: puneți-l în altă parte (formularele sale sunt date necriptate ale pacienților și nu trebuie să circule cu pachetele).",
        "pt": "a pasta de saída {} é a pasta de troca ou está dentro ou à volta dela: defina-a noutro lugar (os seus formulários são dados de pacientes sem cifra e não devem viajar com os pacotes).",
        "ar": "مجلد الصادر {} هو مجلد التبادل أو يقع داخله أو يحتويه: عيّنه في مكان آخر (نماذجه بيانات مرضى غير مشفّرة ويجب ألا تنتقل مع الحزم).",
    },
}
T.update({
    "Erasure of this record was already requested on {}: what could be erased was erased then, and the medical record is held until {}. The statement given then stands.": {
        "fr": "L'effacement de ce dossier a déjà été demandé le {} : ce qui pouvait être effacé l'a été alors, et le dossier médical est conservé jusqu'au {}. La déclaration remise alors reste valable.",
        "es": "El borrado de este registro ya se solicitó el {}: lo que podía borrarse se borró entonces, y el historial médico se conserva hasta el {}. La declaración entregada entonces sigue siendo válida.",
        "de": "Die Löschung dieses Datensatzes wurde bereits am {} beantragt: Was gelöscht werden konnte, wurde damals gelöscht, und die Krankenakte wird bis {} aufbewahrt. Die damals ausgestellte Erklärung gilt weiter.",
        "pl": "Usunięcia tego rekordu zażądano już {}: to, co można było usunąć, usunięto wtedy, a dokumentacja medyczna jest przechowywana do {}. Oświadczenie wydane wtedy pozostaje ważne.",
        "ro": "Ștergerea acestei înregistrări a fost deja cerută pe {}: ce se putea șterge a fost șters atunci, iar dosarul medical este păstrat până la {}. Declarația dată atunci rămâne valabilă.",
        "pt": "O apagamento deste registo já foi pedido em {}: o que podia ser apagado foi apagado então, e o registo médico é guardado até {}. A declaração entregue então mantém-se.",
        "ar": "طُلب محو هذا السجل بالفعل في {}: ما أمكن محوه مُحي حينها، ويُحتفظ بالسجل الطبي حتى {}. يبقى البيان الذي أُعطي حينها ساريًا.",
    },
})
T.update({
    "Withdraw {}? Only when the patient asks: it is recorded with your name and the time.": {
        "fr": "Retirer : {} ? Seulement à la demande du patient : c'est enregistré avec votre nom et l'heure.",
        "es": "¿Retirar: {}? Solo si el paciente lo pide: queda registrado con su nombre y la hora.",
        "de": "Widerrufen: {}? Nur wenn der Patient darum bittet: Es wird mit Ihrem Namen und der Uhrzeit festgehalten.",
        "pl": "Wycofać: {}? Tylko na prośbę pacjenta: zostanie to zapisane z Twoim nazwiskiem i godziną.",
        "ro": "Retrageți: {}? Numai la cererea pacientului: se înregistrează cu numele dvs. și ora.",
        "pt": "Retirar: {}? Só a pedido do paciente: fica registado com o seu nome e a hora.",
        "ar": "سحب {}؟ فقط عندما يطلب المريض ذلك: يُسجَّل باسمك والوقت.",
    },
    "Withdraw now": {
        "fr": "Retirer maintenant", "es": "Retirar ahora", "de": "Jetzt widerrufen",
        "pl": "Wycofaj teraz", "ro": "Retrageți acum", "pt": "Retirar agora", "ar": "اسحب الآن",
    },
    "Withdraw {} now": {
        "fr": "Retirer maintenant : {}", "es": "Retirar ahora: {}", "de": "Jetzt widerrufen: {}",
        "pl": "Wycofaj teraz: {}", "ro": "Retrageți acum: {}", "pt": "Retirar agora: {}", "ar": "اسحب {} الآن",
    },
    "Keep {}": {
        "fr": "Garder : {}", "es": "Mantener: {}", "de": "Behalten: {}",
        "pl": "Zachowaj: {}", "ro": "Păstrați: {}", "pt": "Manter: {}", "ar": "أبقِ {}",
    },
})
T.update({
    "the kiosk has not read this desk's answer yet (nothing from it in {}): on the kiosk, read the back office's answer first, then type the code it shows.": {
        "fr": "la borne n'a pas encore lu la réponse de ce poste (rien d'elle dans {}) : sur la borne, lisez d'abord la réponse du back-office, puis tapez le code qu'elle affiche.",
        "es": "el quiosco aún no ha leído la respuesta de este puesto (nada suyo en {}): en el quiosco, lea primero la respuesta de la oficina y luego escriba el código que muestra.",
        "de": "der Kiosk hat die Antwort dieses Arbeitsplatzes noch nicht gelesen (nichts von ihm in {}): Lesen Sie am Kiosk zuerst die Antwort des Backoffice und geben Sie dann den angezeigten Code ein.",
        "pl": "kiosk nie odczytał jeszcze odpowiedzi tego stanowiska (nic od niego w {}): na kiosku najpierw odczytaj odpowiedź zaplecza, potem wpisz kod, który pokazuje.",
        "ro": "chioșcul nu a citit încă răspunsul acestui birou (nimic de la el în {}): pe chioșc, citiți mai întâi răspunsul biroului, apoi tastați codul pe care îl arată.",
        "pt": "o quiosque ainda não leu a resposta deste posto (nada dele em {}): no quiosque, leia primeiro a resposta do back-office e depois escreva o código que mostra.",
        "ar": "لم يقرأ الكشك رد هذا المكتب بعد (لا شيء منه في {}): على الكشك، اقرأ رد المكتب الخلفي أولًا، ثم اكتب الرمز الذي يظهره.",
    },
    "what the kiosk left for this desk does not belong to the pairing code scanned here: someone else may have answered the kiosk. Do not confirm; start pairing again on the kiosk.": {
        "fr": "ce que la borne a laissé pour ce poste ne correspond pas au code d'appairage scanné ici : quelqu'un d'autre a peut-être répondu à la borne. Ne confirmez pas ; recommencez l'appairage sur la borne.",
        "es": "lo que el quiosco dejó para este puesto no corresponde al código de emparejamiento escaneado aquí: puede que otra persona haya respondido al quiosco. No confirme; vuelva a emparejar desde el quiosco.",
        "de": "was der Kiosk für diesen Arbeitsplatz hinterlegt hat, gehört nicht zu dem hier gescannten Kopplungscode: Möglicherweise hat jemand anderes dem Kiosk geantwortet. Nicht bestätigen; die Kopplung am Kiosk neu beginnen.",
        "pl": "to, co kiosk zostawił dla tego stanowiska, nie należy do zeskanowanego tu kodu parowania: ktoś inny mógł odpowiedzieć kioskowi. Nie potwierdzaj; zacznij parowanie od nowa na kiosku.",
        "ro": "ce a lăsat chioșcul pentru acest birou nu aparține codului de asociere scanat aici: poate altcineva a răspuns chioșcului. Nu confirmați; reîncepeți asocierea pe chioșc.",
        "pt": "o que o quiosque deixou para este posto não pertence ao código de emparelhamento lido aqui: outra pessoa pode ter respondido ao quiosque. Não confirme; recomece o emparelhamento no quiosque.",
        "ar": "ما تركه الكشك لهذا المكتب لا يخص رمز الاقتران الممسوح هنا: ربما ردّ شخص آخر على الكشك. لا تؤكد؛ ابدأ الاقتران من جديد على الكشك.",
    },
})
T.update({
    "This request is logged already and open (due {}): nothing was logged again.": {
        "fr": "Cette demande est déjà enregistrée et ouverte (échéance {}) : rien n'a été enregistré de nouveau.",
        "es": "Esta solicitud ya está registrada y abierta (vence el {}): no se ha registrado de nuevo.",
        "de": "Dieser Antrag ist bereits erfasst und offen (fällig am {}): Es wurde nichts erneut erfasst.",
        "pl": "To żądanie jest już zarejestrowane i otwarte (termin {}): nic nie zarejestrowano ponownie.",
        "ro": "Această cerere este deja înregistrată și deschisă (termen {}): nu s-a înregistrat nimic din nou.",
        "pt": "Este pedido já está registado e aberto (prazo {}): nada foi registado de novo.",
        "ar": "هذا الطلب مسجّل بالفعل ومفتوح (موعده {}): لم يُسجَّل شيء مرة أخرى.",
    },
})
T.update({
    "A detail holds a control character or one that turns the direction of the text around it: type it again without. Nothing was changed.": {
        "fr": "Un élément contient un caractère de contrôle ou un caractère qui inverse le sens du texte autour de lui : tapez-le à nouveau sans. Rien n'a été modifié.",
        "es": "Un dato contiene un carácter de control o uno que invierte la dirección del texto a su alrededor: escríbalo de nuevo sin él. No se ha cambiado nada.",
        "de": "Eine Angabe enthält ein Steuerzeichen oder ein Zeichen, das die Schreibrichtung des umgebenden Textes umkehrt: Geben Sie sie ohne es erneut ein. Es wurde nichts geändert.",
        "pl": "Dane zawierają znak sterujący lub znak odwracający kierunek otaczającego tekstu: wpisz je ponownie bez niego. Nic nie zostało zmienione.",
        "ro": "O informație conține un caracter de control sau unul care inversează direcția textului din jur: tastați-o din nou fără el. Nu s-a schimbat nimic.",
        "pt": "Um dado contém um carácter de controlo ou um que inverte a direção do texto à sua volta: escreva-o de novo sem ele. Nada foi alterado.",
        "ar": "يحتوي أحد البيانات على حرف تحكم أو حرف يعكس اتجاه النص من حوله: اكتبه مرة أخرى من دونه. لم يتغير شيء.",
    },
})
